def first_index(nums, target):
    lo = 0
    hi = len(nums) - 1
    answer = -1
    while lo <= hi:
        mid = (lo + hi) // 2
        if nums[mid] == target:
            answer = mid
            hi = mid - 1
        elif nums[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return answer
