import pygame

SKY = (135, 206, 235)
SUN = (255, 255, 0)

screen = pygame.display.set_mode((300, 200))
screen.fill(SKY)
pygame.draw.circle(screen, SUN, (150, 100), 40)
pygame.display.flip()
