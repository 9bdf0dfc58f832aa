import pygame

# 1. Make a 300 x 200 screen
# 2. Fill it sky blue
# 3. Draw the yellow sun in the middle
# 4. Show it with pygame.display.flip()
