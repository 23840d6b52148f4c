"""Class sessions and votes in the database: join codes that never collide, and votes that are
counted once and never lost, even when they arrive together."""

import threading
from itertools import chain, repeat

from django.db import IntegrityError, close_old_connections, connection
from django.test import TestCase, TransactionTestCase

from classroom import control, state
from classroom.models import ClassSession, Vote
from conftest import load_seed_lesson

from .support import start_class


class JoinCodeTest(TestCase):
    def test_a_taken_code_is_drawn_again(self):
        first = start_class()
        drawn = chain([first.code, first.code], repeat("QRS234"))
        second = ClassSession.objects.start(owner=first.owner, lesson=first.lesson, new_code=lambda: next(drawn))
        self.assertEqual(second.code, "QRS234")

    def test_it_gives_up_rather_than_loop_forever(self):
        first = start_class()
        with self.assertRaises(RuntimeError):
            ClassSession.objects.start(owner=first.owner, lesson=first.lesson, new_code=lambda: first.code)

    def test_a_class_plays_a_lesson_or_a_scenario_never_both_or_neither(self):
        first = start_class()
        with self.assertRaises(IntegrityError):
            ClassSession.objects.create(owner=first.owner, code="ABCDEF")


class QuestionLookupTest(TestCase):
    def test_one_question_looked_up_is_the_one_of_the_whole_list_and_a_stranger_key_is_none(self):
        from classroom import frames

        class_session = start_class()
        every = frames.questions_for(class_session)
        self.assertTrue(any(key.startswith("quiz-") for key in every) and any(key.startswith("packet-") for key in every))
        for key, question in every.items():
            self.assertEqual(frames.question_for(class_session, key), question)
        for stranger in ("packet-99", "quiz-999999", "quiz-", "quiz-x", "quiz-١", ""):
            self.assertIsNone(frames.question_for(class_session, stranger))


class VoteTest(TestCase):
    def setUp(self):
        self.class_session = start_class()
        self.learner = self.class_session.learners.create()
        control.apply(self.class_session.pk, state.Ask("packet-1"))

    def test_a_changed_vote_replaces_the_first(self):
        control.vote(self.class_session.pk, self.learner, "allow-state")
        control.vote(self.class_session.pk, self.learner, "allow-rule")
        self.assertEqual(list(Vote.objects.values_list("choice", flat=True)), ["allow-rule"])

    def test_a_closed_vote_takes_no_more_votes(self):
        control.apply(self.class_session.pk, state.Close())
        with self.assertRaisesMessage(control.VoteRefused, "Voting is closed"):
            control.vote(self.class_session.pk, self.learner, "allow-rule")

    def test_a_batch_stores_each_learners_last_choice_and_refuses_only_unknown_answers(self):
        other = self.class_session.learners.create()
        outcomes = control.vote_many(
            self.class_session.pk,
            [(self.learner, "allow-state"), (other, "no-such-answer"), (other, "drop-no-match"), (self.learner, "allow-rule")],
        )
        self.assertEqual([getattr(outcome, "choice", None) for outcome in outcomes], ["allow-rule", None, "drop-no-match", "allow-rule"])
        self.assertIsInstance(outcomes[1], control.VoteRefused)
        stored = dict(Vote.objects.values_list("learner", "choice"))
        self.assertEqual(stored, {self.learner.pk: "allow-rule", other.pk: "drop-no-match"})

    def test_a_batch_for_a_closed_vote_is_refused_whole_and_stores_nothing(self):
        control.apply(self.class_session.pk, state.Close())
        outcomes = control.vote_many(self.class_session.pk, [(self.learner, "allow-rule")] * 3)
        self.assertTrue(all(isinstance(outcome, control.VoteRefused) for outcome in outcomes))
        self.assertFalse(Vote.objects.exists())

    def test_the_database_refuses_a_second_row_for_one_learner_and_question(self):
        Vote.objects.create(class_session=self.class_session, question="packet-1", learner=self.learner, choice="allow-rule")
        with self.assertRaises(IntegrityError):
            Vote.objects.create(class_session=self.class_session, question="packet-1", learner=self.learner, choice="allow-state")


class ConcurrentVotesTest(TransactionTestCase):
    """Threads, each with its own database connection, vote at once (SQLite's file database)."""

    LEARNERS = 12
    VOTES_EACH = 4

    def setUp(self):
        load_seed_lesson()
        self.class_session = start_class()
        self.learners = [self.class_session.learners.create() for _ in range(self.LEARNERS)]
        control.apply(self.class_session.pk, state.Ask("packet-1"))

    def test_simultaneous_votes_are_each_counted_once_and_none_is_lost(self):
        barrier = threading.Barrier(self.LEARNERS * self.VOTES_EACH)
        failures = []

        def vote(learner, choice):
            try:
                barrier.wait()
                control.vote(self.class_session.pk, learner, choice)
            except Exception as error:  # noqa: BLE001 - every failure is a lost vote: report it
                failures.append(error)
            finally:
                connection.close()

        choices = ["allow-rule", "allow-state", "drop-no-match", "allow-rule"]
        threads = [
            threading.Thread(target=vote, args=(learner, choices[n])) for learner in self.learners for n in range(self.VOTES_EACH)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        close_old_connections()
        self.assertEqual(failures, [])
        self.assertEqual(Vote.objects.filter(question="packet-1").count(), self.LEARNERS)
        self.assertEqual(set(Vote.objects.values_list("learner", flat=True)), {learner.pk for learner in self.learners})
