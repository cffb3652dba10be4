namespace CareLoop.Server.Platform.Api;

/// <summary>Collects validation errors keyed by JSON field path (e.g. <c>items[3].lines[0].quantity</c>).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public int Count => _errors.Count;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    public bool Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required.");
            return false;
        }
        return true;
    }

    public void MaxLength(string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            Add(field, $"must be at most {max} characters.");
        }
    }

    public void Merge(ValidationErrors other, string prefix = "")
    {
        foreach (var (k, v) in other._errors)
        {
            foreach (var m in v)
            {
                Add(prefix + k, m);
            }
        }
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public IEnumerable<(string Field, string Message)> All() =>
        _errors.SelectMany(e => e.Value.Select(m => (e.Key, m)));

    public static string Join(string prefix, string field) =>
        string.IsNullOrEmpty(prefix) ? field : prefix + "." + field;
}

/// <summary>Thrown by use cases when input is invalid; turned into a 400 problem by the exception handler.</summary>
public sealed class ValidationFailedException(ValidationErrors errors) : Exception("Validation failed.")
{
    public ValidationErrors Errors { get; } = errors;
}
