def merge_intervals(intervals):
    ordered = sorted(intervals)
    merged = []
    for start, end in ordered:
        # TODO: merge with the previous interval when they overlap
        merged.append([start, end])
    return merged
