namespace CareLoop.Domain.Calendars;

public sealed partial class BusinessCalendar
{
    private Chunk NextChunk(Chunk chunk) => chunk.Next ?? (chunk.Next = GetChunk(chunk.Key + 1));

    private Chunk BuildChunk(int key)
    {
        var year = key / 12;
        var month = (key % 12) + 1;
        if (year is < MinChunkYear or > MaxChunkYear)
        {
            throw new ArgumentOutOfRangeException(
                nameof(key), "The instant or date is outside the supported range (local years 0002 to 9998).");
        }

        var first = new DateOnly(year, month, 1);
        var dayCount = DateTime.DaysInMonth(year, month);
        var localStart = first.DayNumber * TicksPerDay;
        var offsets = OffsetTable.Scan(TimeZone, localStart - (2 * TicksPerDay), localStart + ((dayCount + 2) * TicksPerDay));

        var dayStarts = new long[dayCount + 1];
        for (var d = 0; d <= dayCount; d++)
        {
            dayStarts[d] = offsets.ToUtc(localStart + (d * TicksPerDay));
        }

        var capacity = 0;
        for (var d = 0; d < dayCount; d++)
        {
            capacity += Effective(first.AddDays(d)).Length;
        }

        var starts = new long[capacity];
        var ends = new long[capacity];
        var count = 0;
        for (var d = 0; d < dayCount; d++)
        {
            var dayLocal = localStart + (d * TicksPerDay);
            foreach (var interval in Effective(first.AddDays(d)))
            {
                var start = interval.StartMinute == 0
                    ? dayStarts[d]
                    : offsets.ToUtc(dayLocal + (interval.StartMinute * TicksPerMinute));
                var end = interval.EndMinute == LocalInterval.MinutesPerDay
                    ? dayStarts[d + 1]
                    : offsets.ToUtc(dayLocal + (interval.EndMinute * TicksPerMinute));
                if (end <= start)
                {
                    continue; // entirely inside a DST gap
                }

                if (count > 0 && start <= ends[count - 1])
                {
                    ends[count - 1] = Math.Max(ends[count - 1], end); // touching (e.g. 24:00 / 00:00): merge
                }
                else
                {
                    starts[count] = start;
                    ends[count] = end;
                    count++;
                }
            }
        }

        Array.Resize(ref starts, count);
        Array.Resize(ref ends, count);
        var cumulative = new long[count];
        long sum = 0;
        for (var i = 0; i < count; i++)
        {
            sum += ends[i] - starts[i];
            cumulative[i] = sum;
        }

        return new Chunk(key, dayStarts, starts, ends, cumulative, offsets);
    }

    /// <summary>One local month of working time as merged, disjoint UTC intervals with cumulative sums.</summary>
    private sealed class Chunk(int key, long[] dayStarts, long[] starts, long[] ends, long[] cumulativeEnds, OffsetTable offsets)
    {
        public readonly int Key = key;

        /// <summary>UTC ticks of each local midnight of the month, plus the first midnight of the next month.</summary>
        public readonly long[] DayStarts = dayStarts;

        public readonly long[] Starts = starts;
        public readonly long[] Ends = ends;

        /// <summary>Working ticks from the start of the chunk to the end of interval i.</summary>
        public readonly long[] CumulativeEnds = cumulativeEnds;

        public readonly int Count = starts.Length;
        public readonly long Total = starts.Length == 0 ? 0 : cumulativeEnds[^1];
        public readonly long StartUtc = dayStarts[0];
        public readonly long EndUtc = dayStarts[^1];

        private Chunk? _next;

        /// <summary>The following month once it has been looked up (a benign race may look it up twice).</summary>
        public Chunk? Next
        {
            get => Volatile.Read(ref _next);
            set => Volatile.Write(ref _next, value);
        }

        public long CumulativeBefore(int index) => index == 0 ? 0 : CumulativeEnds[index - 1];

        /// <summary>Index of the first interval whose end is after <paramref name="utcTicks"/> (Count when none).</summary>
        public int FirstEndingAfter(long utcTicks)
        {
            int lo = 0, hi = Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (Ends[mid] <= utcTicks)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }

        /// <summary>Index of the first interval (from <paramref name="from"/>) whose cumulative end reaches <paramref name="target"/>.</summary>
        public int FirstCumulativeAtLeast(long target, int from)
        {
            int lo = from, hi = Count - 1;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (CumulativeEnds[mid] < target)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }

        /// <summary>Working ticks in the chunk before <paramref name="utcTicks"/>.</summary>
        public long WorkBefore(long utcTicks)
        {
            var index = FirstEndingAfter(utcTicks);
            if (index == Count)
            {
                return Total;
            }

            return CumulativeBefore(index) + Math.Max(0, utcTicks - Starts[index]);
        }

        public DateTimeOffset ToDateTimeOffset(long utcTicks)
        {
            var offset = offsets.OffsetAt(utcTicks);
            offset -= offset % TicksPerMinute;
            return new DateTimeOffset(utcTicks + offset, new TimeSpan(offset));
        }
    }

    /// <summary>
    /// The zone's UTC offsets over a short UTC range as a piecewise-constant function. Transitions are found by
    /// sampling once a day and bisecting to the second (two transitions within one day would be missed; no such
    /// zone rule is known in practice).
    /// </summary>
    private sealed class OffsetTable
    {
        private readonly long[] _starts; // UTC ticks each offset starts at; the first is long.MinValue
        private readonly long[] _offsets;

        private OffsetTable(long[] starts, long[] offsets)
        {
            _starts = starts;
            _offsets = offsets;
        }

        public static OffsetTable Scan(TimeZoneInfo zone, long fromUtc, long toUtc)
        {
            var previous = OffsetOf(zone, fromUtc);
            List<long>? starts = null;
            List<long>? offsets = null;
            var sample = fromUtc;
            while (sample < toUtc)
            {
                var next = Math.Min(sample + TicksPerDay, toUtc);
                var offset = OffsetOf(zone, next);
                if (offset != previous)
                {
                    // Bisect in whole seconds: lo has the previous offset, hi does not.
                    long lo = sample, hi = next;
                    while (hi - lo > TimeSpan.TicksPerSecond)
                    {
                        var mid = lo + ((hi - lo) / TimeSpan.TicksPerSecond / 2 * TimeSpan.TicksPerSecond);
                        if (OffsetOf(zone, mid) == previous)
                        {
                            lo = mid;
                        }
                        else
                        {
                            hi = mid;
                        }
                    }

                    starts ??= [long.MinValue];
                    offsets ??= [previous];
                    starts.Add(hi);
                    offsets.Add(OffsetOf(zone, hi));
                    previous = offsets[^1];
                    sample = hi; // continue from the transition (finds a second change before the next sample)
                    continue;
                }

                sample = next;
            }

            return starts is null
                ? new OffsetTable([long.MinValue], [previous])
                : new OffsetTable([.. starts], [.. offsets!]);
        }

        public long OffsetAt(long utcTicks)
        {
            var i = _starts.Length - 1;
            while (utcTicks < _starts[i])
            {
                i--;
            }

            return _offsets[i];
        }

        /// <summary>
        /// Converts local clock ticks to UTC ticks: the earlier occurrence when ambiguous, the first instant after the
        /// gap when the local time does not exist.
        /// </summary>
        public long ToUtc(long localTicks)
        {
            if (_starts.Length == 1)
            {
                return localTicks - _offsets[0];
            }

            var best = long.MaxValue;
            for (var i = 0; i < _starts.Length; i++)
            {
                var utc = localTicks - _offsets[i];
                var end = i + 1 < _starts.Length ? _starts[i + 1] : long.MaxValue;
                if (utc >= _starts[i] && utc < end && utc < best)
                {
                    best = utc;
                }
            }

            if (best != long.MaxValue)
            {
                return best;
            }

            for (var j = 1; j < _starts.Length; j++)
            {
                var transition = _starts[j];
                if (transition + _offsets[j - 1] <= localTicks && localTicks < transition + _offsets[j])
                {
                    return transition;
                }
            }

            return localTicks - _offsets[0];
        }

        private static long OffsetOf(TimeZoneInfo zone, long utcTicks) =>
            zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;
    }
}
