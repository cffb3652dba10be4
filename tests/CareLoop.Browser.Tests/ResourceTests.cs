using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CareLoop.Server.Components;
using CareLoop.Server.Resources;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CareLoop.Browser.Tests;

/// <summary>The UI text resources: both languages have the same keys, nothing is empty, and the pages use only known keys.</summary>
public sealed partial class ResourceTests
{
    private static readonly string Root = FindRoot();
    private static readonly string Resources = Path.Combine(Root, "src", "CareLoop.Server", "Resources");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CareLoop.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("CareLoop.slnx not found above " + AppContext.BaseDirectory);
    }

    private static Dictionary<string, string> Read(string file) =>
        XDocument.Load(Path.Combine(Resources, file)).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    [Fact]
    public void ChineseAndEnglish_HaveTheSameKeys()
    {
        var zh = Read("SharedResource.resx");
        var en = Read("SharedResource.en.resx");

        Assert.Empty(zh.Keys.Except(en.Keys).Order());
        Assert.Empty(en.Keys.Except(zh.Keys).Order());
    }

    [Theory]
    [InlineData("SharedResource.resx")]
    [InlineData("SharedResource.en.resx")]
    public void NoValue_IsEmpty(string file)
    {
        var empty = Read(file).Where(kv => string.IsNullOrWhiteSpace(kv.Value)).Select(kv => kv.Key).Order();
        Assert.Empty(empty);
    }

    [Fact]
    public void EveryLiteralKey_UsedByTheComponents_Exists()
    {
        var keys = Read("SharedResource.resx").Keys.ToHashSet();
        var components = Path.Combine(Root, "src", "CareLoop.Server", "Components");
        var missing = Directory.EnumerateFiles(components, "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => LiteralKey().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Value)))
            .Where(u => !keys.Contains(u.Key))
            .Select(u => $"{u.File}: {u.Key}")
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void MudLocalizer_TranslatesMudBlazorKeys_AndReportsUnknownOnes()
    {
        var factory = new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance);
        var mud = new CareLoopMudLocalizer(new StringLocalizer<SharedResource>(factory));
        var saved = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo("zh-CN");
            Assert.Equal("下一页", mud["MudTablePager_NextPage"].Value);
            Assert.True(mud["MudNoSuchComponent_Key"].ResourceNotFound);

            CultureInfo.CurrentUICulture = new CultureInfo("en");
            Assert.Equal("Next page", mud["MudTablePager_NextPage"].Value);
        }
        finally
        {
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [GeneratedRegex("""\bL\["([A-Za-z0-9_]+)"\]""")]
    private static partial Regex LiteralKey();
}
