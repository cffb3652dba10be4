namespace CareLoop.Server.Platform.Data;

/// <summary>
/// A value read from the database and kept per process for a few seconds: setup data that every request reads and
/// admins rarely change (SLA policies, routing rules, template overrides). An edit on this instance invalidates it at
/// once; other instances see the edit within <see cref="Lifetime"/>. A clock set back also reloads it.
/// </summary>
public sealed class TimedSnapshot<T>(TimeProvider clock) where T : class
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private volatile Entry? _entry;

    private sealed record Entry(DateTime LoadedAt, T Value);

    public void Invalidate() => _entry = null;

    /// <summary>The kept value, or a fresh one from <paramref name="load"/> when it is older than <see cref="Lifetime"/>.</summary>
    public async Task<T> GetAsync(Func<Task<T>> load)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_entry is { } e && now - e.LoadedAt < Lifetime && now >= e.LoadedAt)
        {
            return e.Value;
        }
        var value = await load();
        _entry = new Entry(now, value);
        return value;
    }
}
