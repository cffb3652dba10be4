namespace CareLoop.Server.Modules.Commerce;

/// <summary>`careloop import &lt;kind&gt; &lt;file&gt;`: CSV or JSON lines through the integration API's rules, all-or-nothing.</summary>
public static class FileImport
{
    public static Task<int> RunAsync(IServiceProvider services, string kind, FileInfo file, TextWriter messages, CancellationToken ct)
    {
        messages.WriteLine("error: import is not available yet.");
        return Task.FromResult(1);
    }
}
