using CareLoop.Server.Platform.Settings;

namespace CareLoop.Server.Tests.Platform;

/// <summary>The type rules of setting values and the checks the catalog makes on definitions (no server).</summary>
public sealed class SettingValuesTests
{
    private static readonly SettingDefinition Attempts = new("test.attempts", SettingType.Integer, "12", "test") { Min = 1, Max = 50 };

    private static (string? Code, string Normalized) Check(SettingDefinition d, string? value)
    {
        var error = SettingValues.Check(d, value, out var normalized);
        return (error?.Code, normalized);
    }

    [Theory]
    [InlineData("1", null, "1")]
    [InlineData(" 050 ", null, "50")]
    [InlineData("+7", null, "7")]
    [InlineData("0", "integer", "")]
    [InlineData("51", "integer", "")]
    [InlineData("1e1", "integer", "")]
    [InlineData("99999999999", "integer", "")]
    [InlineData("", "required", "")]
    [InlineData("  ", "required", "")]
    [InlineData(null, "required", "")]
    public void Integer_IsAWholeNumberWithinTheBounds(string? value, string? code, string normalized) =>
        Assert.Equal((code, normalized), Check(Attempts, value));

    [Fact]
    public void Integer_ErrorNamesTheBounds()
    {
        var error = SettingValues.Check(Attempts, "0", out _)!;

        Assert.Equal("must be a whole number from 1 to 50.", error.Message);
        Assert.Equal([1, 50], error.Args);
    }

    [Theory]
    [InlineData("true", null, "true")]
    [InlineData("FALSE", null, "false")]
    [InlineData("yes", "boolean", "")]
    [InlineData("1", "boolean", "")]
    public void Boolean_IsTrueOrFalse(string value, string? code, string normalized) =>
        Assert.Equal((code, normalized), Check(new SettingDefinition("test.flag", SettingType.Boolean, "false", "test"), value));

    [Theory]
    [InlineData("0", null, "0")]
    [InlineData("90", null, "90")]
    [InlineData("-5", "minutes", "")]
    public void Duration_IsWholeMinutes_NeverNegative(string value, string? code, string normalized) =>
        Assert.Equal((code, normalized), Check(new SettingDefinition("test.wait", SettingType.DurationMinutes, "15", "test"), value));

    [Theory]
    [InlineData("22:00-08:00", null, "22:00-08:00")]
    [InlineData(" 9:30 – 17:00 ", null, "09:30-17:00")]
    [InlineData("00:00-23:59", null, "00:00-23:59")]
    [InlineData("24:00-08:00", "time_range", "")]
    [InlineData("22:60-08:00", "time_range", "")]
    [InlineData("08:00-08:00", "time_range", "")]
    [InlineData("22:00", "time_range", "")]
    [InlineData("10pm-8am", "time_range", "")]
    public void TimeRange_IsHoursAndMinutes_WithDifferentEnds(string value, string? code, string normalized) =>
        Assert.Equal((code, normalized), Check(new SettingDefinition("test.quiet", SettingType.TimeRange, "22:00-08:00", "test"), value));

    [Theory]
    [InlineData("22:00-08:00", "21:59", false)]
    [InlineData("22:00-08:00", "22:00", true)]
    [InlineData("22:00-08:00", "00:00", true)]
    [InlineData("22:00-08:00", "08:00", false)]
    [InlineData("09:00-17:00", "08:59", false)]
    [InlineData("09:00-17:00", "09:00", true)]
    [InlineData("09:00-17:00", "16:59", true)]
    [InlineData("09:00-17:00", "17:00", false)]
    [InlineData("09:00-17:00", "23:00", false)]
    public void TimeRange_ContainsItsStart_NotItsEnd(string range, string time, bool inside)
    {
        Assert.True(TimeRange.TryParse(range, out var r));
        Assert.Equal(inside, r.Contains(TimeOnly.Parse(time, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("email", null, "email")]
    [InlineData(" sms ", null, "sms")]
    [InlineData("Email", "choice", "")]
    [InlineData("fax", "choice", "")]
    public void Choice_IsOneOfTheChoices_CaseSensitive(string value, string? code, string normalized) =>
        Assert.Equal((code, normalized), Check(new SettingDefinition("test.channel", SettingType.Choice, "email", "test") { Choices = ["email", "sms"] }, value));

    [Fact]
    public void Text_IsTrimmed_AndLimitedInLength()
    {
        var d = new SettingDefinition("test.text", SettingType.Text, "x", "test") { MaxLength = 5 };

        Assert.Equal((null, "abc"), Check(d, "  abc "));
        Assert.Equal(("too_long", ""), Check(d, "abcdef"));
    }

    [Fact]
    public void DescriptionKey_FollowsTheKey()
    {
        Assert.Equal("Setting_outbox_maxAttempts", new SettingDefinition("outbox.maxAttempts", SettingType.Integer, "12", "outbox").DescriptionKey);
    }

    [Fact]
    public void Catalog_ListsByGroupThenKey()
    {
        var catalog = new SettingsCatalog([
            new SettingDefinition("b.second", SettingType.Text, "x", "b"),
            new SettingDefinition("a.zeta", SettingType.Text, "x", "a"),
            new SettingDefinition("a.alpha", SettingType.Text, "x", "a"),
        ]);

        Assert.Equal(["a.alpha", "a.zeta", "b.second"], catalog.All.Select(d => d.Key));
        Assert.Null(catalog.Find("c.none"));
        Assert.Throws<KeyNotFoundException>(() => catalog.Get("c.none"));
    }

    [Theory]
    [InlineData("nodots")]
    [InlineData("Outbox.max")]
    [InlineData("outbox.max-attempts")]
    [InlineData("outbox..max")]
    public void Catalog_RefusesAMalformedKey(string key) =>
        Assert.Throws<InvalidOperationException>(() => new SettingsCatalog([new SettingDefinition(key, SettingType.Text, "x", "test")]));

    [Fact]
    public void Catalog_RefusesDuplicatesAndInconsistentDefinitions()
    {
        Assert.Throws<InvalidOperationException>(() => new SettingsCatalog([Attempts, Attempts with { Group = "other" }]));
        Assert.Throws<InvalidOperationException>(() => new SettingsCatalog([Attempts with { DefaultValue = "0" }]));
        Assert.Throws<InvalidOperationException>(() => new SettingsCatalog([Attempts with { DefaultValue = "012" }]));
        Assert.Throws<InvalidOperationException>(() => new SettingsCatalog([Attempts with { Min = 60 }]));
        Assert.Throws<InvalidOperationException>(() => new SettingsCatalog([new SettingDefinition("test.choice", SettingType.Choice, "a", "test")]));
    }
}
