"""Pygame without a window, for learners.

There is no display in the learner's container or in a grading sandbox: the image sets
SDL's dummy video and audio drivers, so ``pygame.display.set_mode`` gives an ordinary
Surface. What is left is a game loop that waits for a window event which never comes.
After pygame is imported, its event functions are wrapped so that such a loop ends
with a clear message instead of hanging: after ``MAX_LOOP_SECONDS`` (or
``MAX_FRAMES`` calls) the next ``event.get()`` brings a ``QUIT`` event, which the usual
``for event in pygame.event.get(): if event.type == pygame.QUIT`` loop handles; a loop
that ignores it is stopped a little later. ``event.wait()`` answers ``QUIT`` at once.

In a notebook, the display Surface is shown as a picture after each cell that called
``pygame.display.flip()`` or ``update()`` (``pygame_show.show`` shows any Surface).
"""

import sys
import time

MAX_FRAMES = 120
MAX_LOOP_SECONDS = 2.0
MESSAGE = (
    "Your game loop was stopped: there is no game window here, so nobody can close it. "
    "The last picture is shown below. Tip: draw once, then call pygame.display.flip()."
)


class _LoopGuard:
    def __init__(self, pygame) -> None:
        self.pygame = pygame
        self.calls = 0
        self.started: float | None = None
        self.told = False

    def tick(self) -> bool:
        """Whether the loop has run long enough to be told to quit."""
        now = time.monotonic()
        if self.started is None:
            self.started = now
        self.calls += 1
        return self.calls >= MAX_FRAMES or now - self.started >= MAX_LOOP_SECONDS

    def quit_events(self) -> list:
        if not self.told:
            self.told = True
            print(MESSAGE)
        elif self.calls > 3 * MAX_FRAMES:
            raise SystemExit(MESSAGE)
        return [self.pygame.event.Event(self.pygame.QUIT)]


def patch_pygame(pygame) -> None:
    """Wrap pygame's event and display functions (once)."""
    if getattr(pygame, "_coderunner_patched", False):
        return
    pygame._coderunner_patched = True
    guard = _LoopGuard(pygame)
    real_get, real_poll = pygame.event.get, pygame.event.poll

    def get(*args, **kwargs):
        events = real_get(*args, **kwargs)
        if guard.tick():
            return list(events) + guard.quit_events()
        return events

    def poll():
        event = real_poll()
        if guard.tick() and event.type == pygame.NOEVENT:
            return guard.quit_events()[0]
        return event

    def wait(*args, **kwargs):
        guard.calls = MAX_FRAMES
        return guard.quit_events()[0]

    pygame.event.get, pygame.event.poll, pygame.event.wait = get, poll, wait

    real_flip, real_update = pygame.display.flip, pygame.display.update

    def flip(*args, **kwargs):
        pygame._coderunner_dirty = True
        return real_flip(*args, **kwargs)

    def update(*args, **kwargs):
        pygame._coderunner_dirty = True
        return real_update(*args, **kwargs)

    pygame.display.flip, pygame.display.update = flip, update
    _show_after_each_cell(pygame)


def _show_after_each_cell(pygame) -> None:
    if "IPython" not in sys.modules:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def show_display() -> None:
        if getattr(pygame, "_coderunner_dirty", False):
            pygame._coderunner_dirty = False
            surface = pygame.display.get_surface() if pygame.display.get_init() else None
            if surface is not None:
                import pygame_show

                pygame_show.show(surface)

    shell.events.register("post_execute", show_display)


class _PygameFinder:
    """Finds pygame as usual, then patches it right after it is loaded.

    A meta path finder needs only ``find_spec``; not deriving from
    ``importlib.abc.MetaPathFinder`` spares every Python start in the image (each
    grading sandbox among them) the ~10 ms of importing ``importlib.abc``, and
    ``importlib.machinery`` is imported only when pygame is.
    """

    def find_spec(self, fullname, path, target=None):
        if fullname != "pygame":
            return None
        import importlib.machinery  # here: most programs never import pygame

        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        real_exec = loader.exec_module

        def exec_module(module):
            real_exec(module)
            try:
                patch_pygame(module)
            except Exception:  # noqa: BLE001 - pygame still works unpatched
                pass

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    if not any(isinstance(f, _PygameFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _PygameFinder())
