import pygame


def draw_lights(colours):
    screen = pygame.display.set_mode((100, 200))
    # Fill the screen black, then draw one circle for each colour
    pygame.display.flip()
