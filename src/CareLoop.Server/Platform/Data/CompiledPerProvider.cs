namespace CareLoop.Server.Platform.Data;

/// <summary>
/// A compiled query (<c>EF.CompileAsyncQuery</c>) per database provider. EF Core translates a compiled query for the
/// provider of the first context that runs it; one process may serve both (the test suite does), so each provider
/// gets its own copy.
/// </summary>
public sealed class CompiledPerProvider<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly TQuery _sqlite = compile();
    private readonly TQuery _postgres = compile();

    public TQuery For(CareLoopDbContext db) => db is PostgresCareLoopDbContext ? _postgres : _sqlite;
}
