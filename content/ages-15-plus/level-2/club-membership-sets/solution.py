def club_report(chess, drama):
    a = set(chess)
    b = set(drama)
    return {
        "both": sorted(a & b),
        "only_chess": sorted(a - b),
        "only_drama": sorted(b - a),
        "total": len(a | b),
    }
