"""Load the first lesson, "Stateful behavior of security groups in AWS", with the seed page's words.

The scenario is read from examples/seed-lesson.json (the one copy the engine's tests also
use). The process table and status tracker are not stored: the engine computes them from it.
"""

import json

from django.conf import settings
from django.db import migrations

SLUG = "stateful-security-groups"

SAMPLE_LINES = [
    "Incoming packet from IP A to port 80",
    "Security group allows inbound TCP port 80",
    "Packet allowed and connection state recorded",
    "Outgoing response packet to IP A",
    "Security group allows response automatically",
]

KEY_MOMENTS = [
    (
        2,
        "Why does the outgoing response get allowed without an explicit outbound rule?",
        "Because the security group remembers the connection state from the allowed inbound packet "
        "(see execution_table step 2), it automatically allows the related outgoing response.",
    ),
    (
        3,
        "What happens if an incoming packet does not match any inbound rule?",
        "The packet is dropped immediately (see execution_table step 3), and no connection state is "
        "recorded, so no outgoing packets related to it are allowed.",
    ),
]

# (step, prompt, hint, explanation, options with the correct one marked True)
QUIZ = [
    (
        1,
        "Look at the execution table, what happens at step 1 when an incoming packet matches the inbound rule?",
        "Refer to execution_table row with Step 1 under 'Action'",
        "The inbound rule allows TCP port 80, so the packet is allowed, and because it was allowed "
        "the security group records the connection. That record is what lets the reply out at step 2.",
        [
            ("The packet is allowed but connection state is not recorded", False),
            ("The packet is dropped", False),
            ("The packet is allowed and connection state is recorded", True),
            ("The packet is forwarded without checking", False),
        ],
    ),
    (
        4,
        "At which step does the security group drop a packet because it is not part of an existing connection?",
        "Look at execution_table rows where 'Result' is 'No' and 'Action' is 'Drop packet'",
        "Step 4 is an outgoing packet whose connection was never recorded (its request was dropped "
        "at step 3), and there are no outbound rules, so nothing allows it.",
        [
            ("Step 4", True),
            ("Step 1", False),
            ("Step 2", False),
            ("Step 3", False),
        ],
    ),
    (
        2,
        "If the security group did not remember connection state, what would happen to outgoing response packets?",
        "Think about the role of connection state in execution_table step 2",
        "Without connection state a response is just another outgoing packet: it needs an outbound "
        "rule that allows it, and this group has none, so it would be dropped. That is how a "
        "stateless network ACL behaves.",
        [
            ("They would be allowed automatically", False),
            ("They would be dropped unless outbound rules explicitly allow them", True),
            ("They would be forwarded without checks", False),
            ("They would cause an error", False),
        ],
    ),
]

SNAPSHOT = [
    "Security groups are stateful firewalls.",
    "They check inbound packets against rules.",
    "If allowed, they record connection state.",
    "Outgoing packets matching this state are allowed automatically.",
    "No need for explicit outbound rules for responses.",
    "Packets not matching rules or state are dropped.",
]

TRANSCRIPT = (
    "Security groups in AWS act like smart gatekeepers. When an incoming packet arrives, the security "
    "group checks if it matches any inbound rule. If yes, it allows the packet and remembers this "
    "connection. Later, when the response packet goes out, the security group sees it matches a known "
    "connection and allows it automatically. This means you don't need to write outbound rules for "
    "responses. If a packet doesn't match inbound rules or isn't part of a known connection, it is "
    "dropped. This stateful behavior simplifies managing network traffic securely."
)


def load_seed_lesson(apps, schema_editor):
    Lesson = apps.get_model("lessons", "Lesson")
    if Lesson.objects.filter(slug=SLUG).exists():
        return
    scenario = json.loads((settings.BASE_DIR / "examples" / "seed-lesson.json").read_text())
    lesson = Lesson.objects.create(
        slug=SLUG,
        title="Stateful behavior of security groups in AWS",
        topic="AWS cloud",
        minutes=10,
        summary="Follow a request through a security group, see the connection recorded, and watch the "
        "reply leave without any outbound rule.",
        published=True,
        order=1,
        scenario=scenario,
        flow_summary="Security groups check incoming packets against rules, allow if matched, then remember "
        "the connection to allow related outgoing packets automatically.",
        sample_language="AWS",
        sample_summary="This shows how a security group allows an incoming request and then automatically "
        "allows the related outgoing response without extra rules.",
        table_note="Packets dropped if not allowed inbound or not part of existing connection state",
        transcript=TRANSCRIPT,
    )
    SampleLine = apps.get_model("lessons", "SampleLine")
    SampleLine.objects.bulk_create(
        SampleLine(lesson=lesson, order=order, text=text) for order, text in enumerate(SAMPLE_LINES, 1)
    )
    KeyMoment = apps.get_model("lessons", "KeyMoment")
    KeyMoment.objects.bulk_create(
        KeyMoment(lesson=lesson, order=order, step=step, question=question, answer=answer)
        for order, (step, question, answer) in enumerate(KEY_MOMENTS, 1)
    )
    QuizQuestion = apps.get_model("lessons", "QuizQuestion")
    QuizOption = apps.get_model("lessons", "QuizOption")
    for order, (step, prompt, hint, explanation, options) in enumerate(QUIZ, 1):
        question = QuizQuestion.objects.create(
            lesson=lesson, order=order, step=step, prompt=prompt, hint=hint, explanation=explanation
        )
        QuizOption.objects.bulk_create(
            QuizOption(question=question, order=position, text=text, is_correct=is_correct)
            for position, (text, is_correct) in enumerate(options, 1)
        )
    SnapshotBullet = apps.get_model("lessons", "SnapshotBullet")
    SnapshotBullet.objects.bulk_create(
        SnapshotBullet(lesson=lesson, order=order, text=text) for order, text in enumerate(SNAPSHOT, 1)
    )


def remove_seed_lesson(apps, schema_editor):
    apps.get_model("lessons", "Lesson").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial")]

    operations = [migrations.RunPython(load_seed_lesson, remove_seed_lesson)]
