"""The Visual mode's live player in a real browser: stepping, rewinding, jumping, the
keyboard, deep links, reduced motion, reloads, reconnection and the projector view."""

from playwright.sync_api import expect

from conftest import SEED_SLUG
from lessons.models import Lesson

from tests.support.seed import END_NODE_WORDS, NO_PACKET_YET, SEED_ROWS_SHOWN as SEED_ROWS, SEED_TRACKER

from .base import BrowserTestCase

def tracker_at(step):
    """The tracker a learner sees at `step`: the columns not reached yet are empty."""
    return SEED_TRACKER[: step + 1] + [""] * (4 - step)


class PlayerTests(BrowserTestCase):
    def expect_lesson_at(self, step):
        self.expect_step(step)
        self.assertEqual(self.table_rows(), SEED_ROWS[:step] or [[NO_PACKET_YET]])
        self.assertEqual(self.tracker_cells(), tracker_at(step))
        if step:
            expect(self.page.locator("#exec-table tbody tr.is-current")).to_have_attribute("aria-current", "step")
            expect(self.page.locator("#exec-table tbody tr.is-current td").first).to_have_text(str(step))
            end_node = self.page.locator(".flow-node.is-end")
            expect(end_node.locator(".flow-node__verdict")).to_have_text(END_NODE_WORDS[step])
        column = "Start" if step == 0 else f"After Step {step}"
        expect(self.page.locator("#tracker th.is-current")).to_have_text(column)

    def test_it_steps_through_the_seed_lesson_row_by_row(self):
        self.open_lesson()
        self.expect_lesson_at(0)  # without ?step a lesson opens at its start
        self.assertEqual(self.table_rows(), [[NO_PACKET_YET]])
        caption = self.page.locator("#caption")
        expect(caption).to_have_attribute("aria-live", "polite")

        self.press_player("player-first")
        self.expect_lesson_at(0)
        captions = [caption.text_content()]
        for step in range(1, 5):
            self.press_player("player-step")
            self.expect_lesson_at(step)
            expect(caption).to_contain_text(f"Step {step} of 4.")
            expect(caption).to_contain_text("ALLOW" if step <= 2 else "DROP")
            self.expect_branch_into_verdict("Yes" if step <= 2 else "No")
            captions.append(caption.text_content())
            print(f"caption {step}: {captions[-1]}")
        self.assertEqual(len(set(captions)), 5, "each step has its own caption")
        expect(caption).to_have_attribute("aria-live", "polite")  # still the same live region

        self.press_player("player-step")  # past the last packet: stays there
        self.expect_lesson_at(4)

    def expect_branch_into_verdict(self, label):
        """The decision's branch into the end node is lit and labelled Yes or No."""
        end = self.page.locator(".flow-node.is-end").get_attribute("data-node")
        into_end = self.page.locator(f'.flow-edge.is-taken[data-edge$=">{end}"]')
        expect(into_end.locator(".flow-edge__label")).to_have_text(label)

    def snapshot(self):
        """Everything on the page that depends on the step, as a reader meets it."""
        return dict(rows=self.table_rows(), tracker=self.tracker_cells(), **self.page.evaluate(
            """() => ({
                status: document.getElementById('step-status').textContent,
                caption: document.getElementById('caption').textContent,
                current: Array.from(document.querySelectorAll('#exec-table .is-current, #tracker .is-current, [aria-current="step"]'),
                                    element => `${element.tagName} ${element.textContent.trim()}`),
                visited: Array.from(document.querySelectorAll('.flow-node.is-visited'), n => n.dataset.node),
                taken: Array.from(document.querySelectorAll('.flow-edge.is-taken'), e => e.dataset.edge),
                end: Array.from(document.querySelectorAll('.flow-node.is-end'), n => n.dataset.node),
                address: location.search,
            })"""
        ))

    def test_back_rewinds_everything_exactly(self):
        self.open_lesson("?step=2")
        self.press_player("player-step")
        self.expect_step(3)
        at_three = self.snapshot()
        self.press_player("player-step")
        self.expect_lesson_at(4)

        self.press_player("player-back")
        self.expect_lesson_at(3)
        self.assertEqual(self.table_rows(), SEED_ROWS[:3], "row 4 is gone")
        self.assertEqual(self.tracker_cells()[4], "", "the After Step 4 column is empty again")
        self.assertEqual(self.snapshot(), at_three)

        for step in (2, 1, 0):
            self.press_player("player-back")
            self.expect_lesson_at(step)
        self.press_player("player-back")  # before the first packet: stays there
        self.expect_lesson_at(0)

    def test_a_key_moment_moves_the_player_to_its_step(self):
        self.open_lesson("?step=0")
        moments = self.page.locator(".key-moments .moment")
        expect(moments).to_have_count(2)
        moments.nth(1).get_by_role("link", name="Show step 3 in the player").click()
        self.expect_lesson_at(3)
        expect(self.page.locator("#player")).to_be_focused()
        self.assertTrue(self.page.url.endswith("?step=3"), self.page.url)  # no page load: the address follows
        moments.nth(0).get_by_role("link", name="Show step 2 in the player").click()
        self.expect_lesson_at(2)

    def test_the_keyboard_alone_runs_the_player(self):
        self.page.goto(self.lesson_path + "?step=0")
        self.expect_live()
        for _ in range(40):  # Tab from the top of the page to the player
            self.page.keyboard.press("Tab")
            if self.page.evaluate("document.activeElement.id") == "player":
                break
        expect(self.page.locator("#player")).to_be_focused()

        keyboard = self.page.keyboard
        keyboard.press("ArrowRight")
        self.expect_lesson_at(1)
        keyboard.press("ArrowRight")
        self.expect_lesson_at(2)
        keyboard.press("ArrowLeft")
        self.expect_lesson_at(1)
        keyboard.press("End")
        self.expect_lesson_at(4)
        keyboard.press("Home")
        self.expect_lesson_at(0)

        state = self.page.locator("#flow-state")
        play = self.page.locator("#player-play")
        scrolled = self.page.evaluate("window.scrollY")
        keyboard.press("Space")  # play: the server steps on by itself
        expect(state).to_have_attribute("data-playing", "true")
        expect(play).to_have_class("js-only player__play is-playing")
        self.expect_step(1)
        keyboard.press("Space")  # pause
        expect(state).to_have_attribute("data-playing", "false")
        expect(play).not_to_have_class("is-playing")
        expect(self.page.locator("#player")).to_be_focused()
        self.assertEqual(self.page.evaluate("window.scrollY"), scrolled, "Space played; it did not scroll the page")

    def test_a_deep_link_opens_the_page_at_that_step(self):
        self.open_lesson("?step=2")
        self.expect_lesson_at(2)
        self.press_player("player-step")  # the live player starts from there too
        self.expect_lesson_at(3)

    def test_a_reload_resumes_at_the_same_step(self):
        self.open_lesson("?step=0")
        self.press_player("player-step")
        self.press_player("player-step")  # the second click is sent before the first answer
        self.expect_lesson_at(2)
        before = self.snapshot()
        self.assertEqual(before["address"], "?step=2")
        self.page.reload()
        self.expect_live()
        self.expect_lesson_at(2)
        self.assertEqual(self.snapshot(), before)

    def test_the_player_resumes_after_the_server_drops_the_connection(self):
        self.open_lesson("?step=0")
        self.press_player("player-step")
        self.press_player("player-step")
        self.expect_lesson_at(2)
        self.restart_server()  # daphne stops: the socket closes as after a crash (1006)
        connection = self.page.locator("#player-connection")
        expect(connection).to_have_text("Live", timeout=30_000)  # the extension retried
        self.expect_lesson_at(2)  # the new connection was opened at the learner's step
        self.press_player("player-step")
        self.expect_lesson_at(3)

    def test_the_projector_view_shows_only_the_chart_tables_and_caption(self):
        self.open_lesson("?step=0")
        self.press_player("player-step")
        self.expect_step(1)
        self.page.get_by_role("link", name="Projector view").click()
        self.page.wait_for_url("**?projector=1&step=1")
        self.expect_live()
        self.assert_projector_view(step=1)
        self.press_player("player-step")
        self.expect_lesson_at(2)
        self.page.get_by_role("link", name="Leave projector view").click()
        self.page.wait_for_url("**?step=2")
        expect(self.page.locator("body")).not_to_have_class("is-projector")
        expect(self.page.locator(".quiz")).to_be_visible()

        self.open_lesson("?projector=1")
        self.assert_projector_view(step=0)

    def assert_projector_view(self, step):
        expect(self.page.locator("body")).to_have_class("is-projector")
        for region in ("#flow", "#caption", "#exec-table", "#tracker", "#player"):
            expect(self.page.locator(region)).to_be_visible()
        for extra in (".modes", ".sample", ".key-moments", ".quiz", ".snapshot", ".transcript"):
            expect(self.page.locator(extra)).to_have_count(0)
        expect(self.page.locator(".site-header")).to_be_hidden()
        self.expect_lesson_at(step)
        size = self.page.locator("body").evaluate("body => parseFloat(getComputedStyle(body).fontSize)")
        self.assertGreaterEqual(size, 20, "projector type is large")

    def token_positions_while_stepping(self, page):
        """Every position the packet token takes while the player draws step 1."""
        page.evaluate(
            """() => {
                window.tokenPositions = [];
                const observer = new MutationObserver(records => records.forEach(record =>
                    window.tokenPositions.push(record.target.getAttribute('transform'))));
                document.querySelectorAll('.flow-token').forEach(token =>
                    observer.observe(token, {attributes: true, attributeFilter: ['transform']}));
            }"""
        )
        page.locator("#player-step").click()
        self.expect_step(1, page=page)
        return page.evaluate("window.tokenPositions")

    def test_the_packet_token_travels_along_the_path(self):
        self.open_lesson("?step=0")
        positions = self.token_positions_while_stepping(self.page)
        self.assertGreater(len(set(positions)), 6, "the token moves through the chart in small steps")

    def test_reduced_motion_changes_state_without_movement(self):
        self.page.emulate_media(reduced_motion="reduce")
        self.open_lesson("?step=0")
        positions = self.token_positions_while_stepping(self.page)
        self.assertEqual(len(set(positions)), 1, f"the token jumps straight to where it rests: {positions}")
        moving = self.page.evaluate(
            """() => Array.from(document.querySelectorAll('.flow-token, .flow-node, .flow-edge, #caption, #exec-table tr'))
                .flatMap(element => {
                    const style = getComputedStyle(element);
                    const seconds = value => Math.max(...value.split(',').map(parseFloat));
                    // base.css shortens every transition to 0.01 ms, so a class change may
                    // leave one that ends within the frame: only a perceptible one counts.
                    const running = element.getAnimations().some(a => a.effect.getComputedTiming().duration > 1);
                    const timed = seconds(style.transitionDuration) > 0.001 || seconds(style.animationDuration) > 0.001;
                    return running || timed ? [element.className.baseVal ?? element.className ?? element.id] : [];
                })"""
        )
        self.assertEqual(moving, [], "no CSS animation or transition runs")
        self.expect_lesson_at(1)

    def test_without_a_connection_the_buttons_still_go_to_the_right_step(self):
        """When the socket is closed for good, the buttons fall back to their plain forms
        (?step=k): those must start from where the live player is, not where the page loaded."""
        sockets = []

        def pass_through(socket):
            socket.connect_to_server()
            sockets.append(socket)

        self.page.route_web_socket("**/ws/lessons/**", pass_through)
        self.open_lesson("?step=0")
        for step in (1, 2, 3):
            self.press_player("player-step")
            self.expect_step(step)
        sockets[-1].close(code=1000, reason="server going away")  # a close the extension never retries
        expect(self.page.locator("#player-connection")).to_have_text("Disconnected: reload the page to continue.")
        self.press_player("player-step")
        self.page.wait_for_load_state()
        self.expect_lesson_at(4)
        self.assertTrue(self.page.url.endswith("?step=4"), self.page.url)

    def test_space_or_enter_on_a_focused_button_presses_that_button(self):
        self.open_lesson("?step=0")
        state = self.page.locator("#flow-state")
        self.page.locator("#player-step").focus()
        self.page.keyboard.press("Space")
        self.expect_lesson_at(1)
        self.page.keyboard.press("Enter")
        self.expect_lesson_at(2)
        self.page.locator("#player-first").focus()
        self.page.keyboard.press("Space")
        self.expect_lesson_at(0)
        expect(state).to_have_attribute("data-playing", "false")  # Space pressed First, it did not play
        self.page.locator("#player").focus()  # no control has focus: Space plays
        self.page.keyboard.press("Space")
        expect(state).to_have_attribute("data-playing", "true")
        self.page.keyboard.press("Space")
        expect(state).to_have_attribute("data-playing", "false")

    def test_on_a_phone_the_lit_node_and_the_caption_are_in_view_after_each_step(self):
        self.page.set_viewport_size({"width": 360, "height": 740})
        self.open_lesson("?step=0")
        for step in range(1, 5):
            self.press_player("player-step")
            self.expect_step(step)
            geometry = self.page.evaluate(
                """() => {
                    const box = element => element.getBoundingClientRect();
                    return {node: box(document.querySelector('.flow-node.is-end')), caption: box(document.getElementById('caption')),
                            player: box(document.getElementById('player')), height: innerHeight};
                }"""
            )
            with self.subTest(step=step):
                node, caption, player = geometry["node"], geometry["caption"], geometry["player"]
                self.assertGreaterEqual(caption["top"], 0)
                self.assertGreaterEqual(node["top"], caption["bottom"], "the node is not under the caption")
                self.assertLessEqual(node["bottom"], player["top"], "the node is not under the sticky player")
                self.assertLessEqual(player["bottom"], geometry["height"] + 1)

    def test_a_long_url_in_author_text_wraps_on_a_phone(self):
        arn = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0" * 3
        Lesson.objects.filter(slug=SEED_SLUG).update(transcript=f"See https://example.org/{arn}", flow_summary=arn)
        self.page.set_viewport_size({"width": 360, "height": 740})
        self.open_lesson("?step=0")
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, 360, "the page does not scroll sideways")
