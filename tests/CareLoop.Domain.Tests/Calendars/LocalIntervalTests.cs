using CareLoop.Domain.Calendars;

namespace CareLoop.Domain.Tests.Calendars;

public sealed class LocalIntervalTests
{
    [Theory]
    [InlineData("09:00", "18:00", 540, 1080)]
    [InlineData("00:00", "24:00", 0, 1440)]
    [InlineData("23:59", "24:00", 1439, 1440)]
    [InlineData("00:00", "00:01", 0, 1)]
    [InlineData("12:30", "13:45", 750, 825)]
    public void TryParse_accepts_strict_HH_mm_pairs(string start, string end, int startMinute, int endMinute)
    {
        Assert.True(LocalInterval.TryParse(start, end, out var interval, out var error));
        Assert.Null(error);
        Assert.Equal(new LocalInterval(startMinute, endMinute), interval);
    }

    [Theory]
    [InlineData("9:00", "18:00")]
    [InlineData("09:0", "18:00")]
    [InlineData("0900", "18:00")]
    [InlineData("09:00:00", "18:00")]
    [InlineData(" 9:00", "18:00")]
    [InlineData("09-00", "18:00")]
    [InlineData("09:60", "18:00")]
    [InlineData("24:00", "24:00")]
    [InlineData("25:00", "26:00")]
    [InlineData("", "18:00")]
    [InlineData("ab:cd", "18:00")]
    [InlineData("٠٩:٠٠", "18:00")]
    public void TryParse_rejects_a_start_that_is_not_strict_HH_mm_before_24_00(string start, string end)
    {
        Assert.False(LocalInterval.TryParse(start, end, out var interval, out var error));
        Assert.Equal(default, interval);
        Assert.Contains("Start", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("09:00", "24:01")]
    [InlineData("09:00", "25:00")]
    [InlineData("09:00", "18:5")]
    [InlineData("09:00", "1800")]
    [InlineData("09:00", "18:60")]
    public void TryParse_rejects_an_end_that_is_not_strict_HH_mm_up_to_24_00(string start, string end)
    {
        Assert.False(LocalInterval.TryParse(start, end, out _, out var error));
        Assert.Contains("End", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("18:00", "09:00")]
    [InlineData("12:00", "12:00")]
    [InlineData("00:00", "00:00")]
    public void TryParse_rejects_an_end_not_after_the_start(string start, string end)
    {
        Assert.False(LocalInterval.TryParse(start, end, out _, out var error));
        Assert.Contains("must be after", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_rejects_null_texts_with_an_error()
    {
        Assert.False(LocalInterval.TryParse(null!, "18:00", out _, out var startError));
        Assert.False(LocalInterval.TryParse("09:00", null!, out _, out var endError));
        Assert.NotNull(startError);
        Assert.NotNull(endError);
    }

    [Fact]
    public void Texts_are_two_digit_HH_mm_and_1440_is_24_00()
    {
        var interval = new LocalInterval(5, 1440);
        Assert.Equal("00:05", interval.StartText);
        Assert.Equal("24:00", interval.EndText);
        Assert.Equal("09:30", new LocalInterval(570, 600).StartText);
        Assert.Equal("10:00", new LocalInterval(570, 600).EndText);
        Assert.Equal("09:30-10:00", new LocalInterval(570, 600).ToString());
    }

    [Fact]
    public void Texts_round_trip_through_TryParse()
    {
        for (var start = 0; start < 1440; start += 7)
        {
            var original = new LocalInterval(start, Math.Min(1440, start + 13));
            Assert.True(LocalInterval.TryParse(original.StartText, original.EndText, out var parsed, out _));
            Assert.Equal(original, parsed);
        }
    }
}
