import pytest
from django.urls import reverse

from conftest import SEED_SLUG, form_values
from practice.models import Prediction
from tests.practice.support import page_text


CHALLENGE = reverse("practice:challenge", kwargs={"slug": SEED_SLUG})
pytestmark = pytest.mark.django_db


def predict(client, step, verdict, basis):
    return client.post(reverse("practice:predict", kwargs={"slug": SEED_SLUG, "step": step}), {"verdict": verdict, "basis": basis})



def test_the_challenge_opens_at_step_1_with_a_form(client, practice_lesson):
    page = client.get(CHALLENGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="step-1"' in html and 'id="step-2"' not in html
    assert 'name="verdict"' in html and 'name="basis"' in html
    assert 'aria-current="page">Challenge' in html


def test_three_predictions_right_wrong_verdict_wrong_reason(client, practice_lesson):
    assert predict(client, 1, "ALLOW", "rule").status_code == 302
    assert predict(client, 2, "DROP", "no-match").status_code == 302  # wrong verdict: the reply passes
    assert predict(client, 3, "DROP", "nacl").status_code == 302  # right verdict, wrong reason
    page = page_text(client.get(CHALLENGE))
    assert "Score: 1 of 3 right · streak 0 · best streak 1" in page
    step_2 = page[page.index("Step 2:"):page.index("Step 3:")]
    assert "Verdict ✗ Wrong: ✓ Allowed" in step_2 and "Reason ✗ Wrong: connection state" in step_2
    step_3 = page[page.index("Step 3:"):page.index("Step 4:")]
    assert "Verdict ✓ Right: ✗ Dropped" in step_3 and "Reason ✗ Wrong: no rule matched" in step_3


def test_a_prediction_posted_twice_counts_once(client, practice_lesson):
    predict(client, 1, "DROP", "no-match")
    predict(client, 1, "ALLOW", "rule")  # a second try at a revealed step changes nothing
    assert list(Prediction.objects.values_list("verdict", "basis")) == [("DROP", "no-match")]


def test_a_step_ahead_of_the_next_is_refused_with_the_step_to_do(client, practice_lesson):
    response = predict(client, 3, "ALLOW", "rule")
    assert response.status_code == 400
    assert "Predict step 1 first" in page_text(response)
    assert not Prediction.objects.exists()


def test_a_missing_reason_is_an_error_at_its_field_keeping_the_verdict(client, practice_lesson):
    response = predict(client, 1, "ALLOW", "")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="basis-error"' in html
    assert form_values(html)["verdict"] == "ALLOW"


def test_an_unknown_step_is_not_found(client, practice_lesson):
    assert predict(client, 9, "ALLOW", "rule").status_code == 404
