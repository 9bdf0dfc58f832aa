def triples(n):
    return [(a, b, c)
            for a in range(1, n + 1)
            for b in range(a + 1, n + 1)
            for c in range(b + 1, n + 1)
            if a * a + b * b == c * c]
