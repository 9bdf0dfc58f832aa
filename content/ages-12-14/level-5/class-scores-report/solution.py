n = int(input())
if n == 0:
    print("No scores")
else:
    total = 0
    top_name = ""
    top_score = None
    for i in range(n):
        name, score = input().split()
        score = int(score)
        total = total + score
        if top_score is None or score > top_score:
            top_name = name
            top_score = score
    print("Average:", round(total / n, 1))
    print("Top:", top_name)
