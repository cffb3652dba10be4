using System.Text.RegularExpressions;

namespace CareLoop.Server.Platform.Settings;

/// <summary>Every registered setting, by key. Built once from the <see cref="SettingDefinition"/>s modules add.</summary>
public sealed partial class SettingsCatalog
{
    private readonly Dictionary<string, SettingDefinition> _byKey = new(StringComparer.Ordinal);

    /// <exception cref="InvalidOperationException">A key is malformed or registered twice, or a definition is inconsistent.</exception>
    public SettingsCatalog(IEnumerable<SettingDefinition> definitions)
    {
        foreach (var d in definitions)
        {
            if (!KeyPattern().IsMatch(d.Key))
            {
                throw new InvalidOperationException($"Setting key '{d.Key}' is not a dotted camelCase key such as 'outbox.maxAttempts'.");
            }
            if (!_byKey.TryAdd(d.Key, d))
            {
                throw new InvalidOperationException($"Setting '{d.Key}' is registered twice.");
            }
            if (d.Min > d.Max)
            {
                throw new InvalidOperationException($"Setting '{d.Key}': Min is above Max.");
            }
            if (d.Type == SettingType.Choice && d.Choices.Count == 0)
            {
                throw new InvalidOperationException($"Setting '{d.Key}' is a choice without choices.");
            }
            var error = SettingValues.Check(d, d.DefaultValue, out var normalized);
            if (error is not null || normalized != d.DefaultValue)
            {
                throw new InvalidOperationException($"Setting '{d.Key}': the default '{d.DefaultValue}' {error?.Message ?? "is not in normal form."}");
            }
        }
        All = _byKey.Values.OrderBy(d => d.Group, StringComparer.Ordinal).ThenBy(d => d.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>All settings, by group and key.</summary>
    public IReadOnlyList<SettingDefinition> All { get; }

    public SettingDefinition? Find(string key) => _byKey.GetValueOrDefault(key);

    /// <exception cref="KeyNotFoundException">No setting has this key (a programming error: keys are constants).</exception>
    public SettingDefinition Get(string key) =>
        Find(key) ?? throw new KeyNotFoundException($"No setting '{key}' is registered.");

    [GeneratedRegex(@"^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$")]
    private static partial Regex KeyPattern();
}

public static class SettingRegistration
{
    /// <summary>Adds a setting to the registry (its key must be unique; the catalog checks at first use).</summary>
    public static IServiceCollection AddSetting(this IServiceCollection services, SettingDefinition definition)
    {
        services.AddSingleton(definition);
        return services;
    }
}
