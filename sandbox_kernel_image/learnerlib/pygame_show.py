"""``show(surface)``: a pygame Surface as a picture in the notebook.

import pygame
from pygame_show import show

picture = pygame.Surface((200, 100))
picture.fill("skyblue")
pygame.draw.circle(picture, "yellow", (100, 50), 30)
show(picture)
"""

from __future__ import annotations

import io


def png(surface) -> bytes:
    """The Surface as PNG bytes."""
    import pygame

    buffer = io.BytesIO()
    pygame.image.save(surface, buffer, "picture.png")
    return buffer.getvalue()


def show(surface) -> None:
    """Show the Surface below the cell (outside a notebook, nothing happens)."""
    try:
        from IPython.display import Image, display
    except ImportError:
        return
    display(Image(data=png(surface), format="png"))
