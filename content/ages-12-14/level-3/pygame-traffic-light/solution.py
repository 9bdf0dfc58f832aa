import pygame


def draw_lights(colours):
    screen = pygame.display.set_mode((100, 200))
    screen.fill((0, 0, 0))
    y = 40
    for colour in colours:
        pygame.draw.circle(screen, colour, (50, y), 20)
        y += 50
    pygame.display.flip()
