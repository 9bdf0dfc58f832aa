def club_report(chess, drama):
    both = [name for name in chess if name in drama]
    # TODO: remove duplicates, sort, and fill in the other keys
    return {"both": both, "only_chess": [], "only_drama": [], "total": 0}
