using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CareLoop.Server.Tests.Platform;

/// <summary>The careloop binary's verbs, run as a real process on a throw-away data folder.</summary>
public sealed partial class CliTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("careloop-cli-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    internal static async Task<(int Code, string Out, string Err)> RunAsync(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "careloop"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(start)!;
        if (stdin is not null) await process.StandardInput.WriteLineAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex("^cl_[0-9a-f]{16}_[0-9a-f]{48}$")]
    private static partial Regex KeyShape();

    [Fact]
    public async Task ApiKeysCreate_PrintsOnlyTheKeyOnStdout_AndMessagesOnStderr()
    {
        var (code, stdout, stderr) = await RunAsync(null, "apikeys", "create", "--role", "admin", "--name", "ops", "--data", _data);

        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Matches(KeyShape(), lines[0].Trim());
        Assert.Contains("shown only once", stderr);
    }

    [Fact]
    public async Task ApiKeysCreate_GivesDifferentKeysEachTime()
    {
        var first = await RunAsync(null, "apikeys", "create", "--role", "integration", "--name", "a", "--data", _data);
        var second = await RunAsync(null, "apikeys", "create", "--role", "integration", "--name", "b", "--data", _data);

        Assert.NotEqual(first.Out.Trim(), second.Out.Trim());
    }

    [Fact]
    public async Task ApiKeysRevoke_MarksTheKeyRevoked_AndListShowsIt()
    {
        var token = (await RunAsync(null, "apikeys", "create", "--role", "integration", "--name", "feed", "--data", _data)).Out.Trim();
        var keyId = token.Split('_')[1];

        var revoked = await RunAsync(null, "apikeys", "revoke", keyId, "--data", _data);
        var list = await RunAsync(null, "apikeys", "list", "--data", _data);
        var unknown = await RunAsync(null, "apikeys", "revoke", "nosuchkey", "--data", _data);

        Assert.Equal(0, revoked.Code);
        var line = Assert.Single(list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith(keyId, StringComparison.Ordinal));
        Assert.Contains("revoked", line, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('_')[2], list.Out, StringComparison.Ordinal);
        Assert.NotEqual(0, unknown.Code);
    }

    [Fact]
    public async Task ApiKeysCreate_RefusesMerchantRoleWithoutMerchant()
    {
        var (code, stdout, stderr) = await RunAsync(null, "apikeys", "create", "--role", "merchant", "--name", "m", "--data", _data);

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("--merchant", stderr);
    }

    [Fact]
    public async Task ApiKeysCreate_RefusesUnknownRole()
    {
        var (code, stdout, stderr) = await RunAsync(null, "apikeys", "create", "--role", "pirate", "--name", "x", "--data", _data);

        Assert.NotEqual(0, code);
        Assert.Equal("", stdout.Trim());
        Assert.Contains("--role", stderr);
    }

    [Fact]
    public async Task ApiKeysCreate_RefusesUnknownMerchant()
    {
        var (code, _, stderr) = await RunAsync(null, "apikeys", "create", "--role", "merchant", "--merchant", "NOPE", "--name", "x", "--data", _data);

        Assert.NotEqual(0, code);
        Assert.Contains("NOPE", stderr);
    }

    [Fact]
    public async Task UsersCreate_ReadsPasswordFromStdin_AndRefusesADuplicate()
    {
        var created = await RunAsync("a-long-password-1", "users", "create", "--role", "agent", "--email", "a@example.com", "--password-stdin", "--data", _data);
        var again = await RunAsync("a-long-password-1", "users", "create", "--role", "agent", "--email", "a@example.com", "--password-stdin", "--data", _data);

        Assert.Equal(0, created.Code);
        Assert.NotEqual(0, again.Code);
        Assert.Contains("a@example.com", again.Err);
    }

    [Fact]
    public async Task UsersCreate_RefusesAShortPassword()
    {
        var (code, _, stderr) = await RunAsync("short", "users", "create", "--role", "agent", "--email", "b@example.com", "--password-stdin", "--data", _data);

        Assert.NotEqual(0, code);
        Assert.Contains("error", stderr);
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("migrate")]
    [InlineData("import")]
    [InlineData("demo")]
    [InlineData("users create")]
    [InlineData("apikeys create")]
    public async Task EveryVerb_ExplainsItselfWithHelp(string verb)
    {
        var (code, stdout, _) = await RunAsync(null, [.. verb.Split(' '), "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("--data", stdout);
        Assert.Contains("--db", stdout);
    }

    [Fact]
    public async Task UnknownDatabaseKind_IsRefused()
    {
        var (code, _, stderr) = await RunAsync(null, "migrate", "--db", "oracle", "--data", _data);

        Assert.NotEqual(0, code);
        Assert.Contains("oracle", stderr);
    }

    [Fact]
    public async Task GlobalOptions_MayComeBeforeTheVerb()
    {
        var (code, stdout, _) = await RunAsync(null, "--data", _data, "apikeys", "create", "--role", "agent", "--name", "x");

        Assert.Equal(0, code);
        Assert.Matches(KeyShape(), stdout.Trim());
    }

    [Fact]
    public async Task Migrate_CreatesTheDatabaseInTheDataFolder()
    {
        var (code, _, _) = await RunAsync(null, "migrate", "--data", _data);

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(_data, "careloop.db")));
    }
}
