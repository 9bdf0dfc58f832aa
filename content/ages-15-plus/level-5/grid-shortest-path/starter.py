r, c = map(int, input().split())
grid = [input() for _ in range(r)]

for i in range(r):
    for j in range(c):
        if grid[i][j] == "S":
            start = (i, j)
        elif grid[i][j] == "E":
            end = (i, j)

# This ignores the walls! Replace it with a breadth-first search.
print(abs(start[0] - end[0]) + abs(start[1] - end[1]))
