using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CareLoop.Server.Platform.Notifications;

/// <summary>The languages notifications are written in. A customer's other languages get the default (zh-CN).</summary>
public static class NotificationLanguages
{
    public const string Chinese = "zh-CN";
    public const string English = "en";

    public static readonly IReadOnlyList<string> All = [Chinese, English];

    /// <summary><c>en</c>, <c>en-US</c>, <c>en_GB</c>… → <c>en</c>; anything else (or nothing) → <c>zh-CN</c>.</summary>
    public static string Resolve(string? preferred) =>
        preferred is { } p && p.Trim().StartsWith("en", StringComparison.OrdinalIgnoreCase) ? English : Chinese;

    public static bool IsSupported(string? language) => language is Chinese or English;
}

/// <summary>The wording of a template in one language: a one-line subject (the e-mail subject, the in-app title) and a plain-text body.</summary>
public sealed record TemplateText(string Subject, string Body);

/// <summary>
/// A notification template defined in code: its key, the placeholders a caller fills in (and an admin may use), and
/// its built-in wording (zh-CN required, en optional). Admins override the wording per language; the key and the
/// placeholders stay the code's.
/// </summary>
public sealed record NotificationTemplateDefinition(string Key, IReadOnlyList<string> Placeholders, TemplateText Chinese, TemplateText? English = null)
{
    public TemplateText? For(string language) => language == NotificationLanguages.English ? English : Chinese;
}

/// <summary>An admin's wording of a template in one language, replacing the built-in one (<c>notification_templates</c>).</summary>
public sealed class NotificationTemplate
{
    public long Id { get; set; }
    public string Key { get; set; } = "";
    public string Language { get; set; } = NotificationLanguages.Chinese;
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
}

internal sealed class NotificationTemplateConfiguration : IEntityTypeConfiguration<NotificationTemplate>
{
    public void Configure(EntityTypeBuilder<NotificationTemplate> b)
    {
        b.ToTable("notification_templates");
        b.Property(x => x.Key).HasMaxLength(100);
        b.Property(x => x.Language).HasMaxLength(10);
        b.Property(x => x.Subject).HasMaxLength(TemplateRenderer.MaxSubjectLength);
        b.Property(x => x.Body).HasMaxLength(TemplateRenderer.MaxBodyLength);
        b.Property(x => x.UpdatedBy).HasMaxLength(200);
        b.HasIndex(x => new { x.Key, x.Language }).IsUnique();
    }
}

/// <summary>The templates modules registered (<see cref="NotificationServices.AddNotificationTemplate"/>), by key.</summary>
public sealed class NotificationTemplateCatalog
{
    private readonly Dictionary<string, NotificationTemplateDefinition> _byKey = new(StringComparer.Ordinal);

    public NotificationTemplateCatalog(IEnumerable<NotificationTemplateDefinition> definitions)
    {
        foreach (var d in definitions)
        {
            var errors = TemplateRenderer.Validate(d.Chinese, d.Placeholders);
            if (d.English is { } en)
            {
                errors.Merge(TemplateRenderer.Validate(en, d.Placeholders), "en.");
            }
            if (errors.Any)
            {
                throw new InvalidOperationException($"Notification template '{d.Key}' is invalid: "
                    + string.Join("; ", errors.All().Select(e => e.Field + " " + e.Message)));
            }
            // The last registration of a key wins (a host may replace a module's wording).
            _byKey[d.Key] = d;
        }
    }

    public IReadOnlyCollection<NotificationTemplateDefinition> All => _byKey.Values.OrderBy(d => d.Key, StringComparer.Ordinal).ToList();

    public NotificationTemplateDefinition? Find(string key) => _byKey.GetValueOrDefault(key);
}

/// <summary>
/// Renders <c>{{name}}</c> placeholders. Values are inserted as given in the text rendering and HTML-encoded (with the
/// template's own text) in the HTML rendering; a placeholder without a value renders as nothing.
/// </summary>
public static partial class TemplateRenderer
{
    public const int MaxSubjectLength = 200;
    public const int MaxBodyLength = 8000;

    [GeneratedRegex(@"\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>The placeholder names a text uses, in order of first use.</summary>
    public static IReadOnlyList<string> PlaceholdersIn(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

    public static string RenderText(string template, IReadOnlyDictionary<string, string?> values) =>
        Placeholder().Replace(template, m => values.GetValueOrDefault(m.Groups[1].Value) ?? "");

    /// <summary>The body as an HTML fragment: every character of the template and the values encoded, line breaks as <c>&lt;br&gt;</c>, blank lines as paragraphs.</summary>
    public static string RenderHtml(string template, IReadOnlyDictionary<string, string?> values)
    {
        var encoded = new StringBuilder();
        var last = 0;
        foreach (Match m in Placeholder().Matches(template))
        {
            encoded.Append(WebUtility.HtmlEncode(template[last..m.Index]));
            encoded.Append(WebUtility.HtmlEncode(values.GetValueOrDefault(m.Groups[1].Value) ?? ""));
            last = m.Index + m.Length;
        }
        encoded.Append(WebUtility.HtmlEncode(template[last..]));
        var paragraphs = encoded.ToString().Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => "<p>" + p.Replace("\n", "<br>\n", StringComparison.Ordinal) + "</p>");
        return string.Join("\n", paragraphs);
    }

    /// <summary>A whole HTML document around a rendered body (what the e-mail carries as its HTML part).</summary>
    public static string HtmlDocument(string language, string encodedSubject, string htmlBody) =>
        $"<!DOCTYPE html>\n<html lang=\"{language}\"><head><meta charset=\"utf-8\"><title>{encodedSubject}</title></head>\n"
        + $"<body style=\"font-family:sans-serif;line-height:1.5\">\n{htmlBody}\n</body></html>";

    /// <summary>Checks an admin's (or a module's) wording: required, lengths, one-line subject, only the template's placeholders, no stray braces.</summary>
    public static ValidationErrors Validate(TemplateText text, IReadOnlyList<string> allowed)
    {
        var errors = new ValidationErrors();
        Check("subject", text.Subject, MaxSubjectLength);
        Check("body", text.Body, MaxBodyLength);
        if (text.Subject is { } s && (s.Contains('\n', StringComparison.Ordinal) || s.Contains('\r', StringComparison.Ordinal)))
        {
            errors.Add("subject", "must be one line.");
        }
        return errors;

        void Check(string field, string? value, int max)
        {
            if (!errors.Required(field, value))
            {
                return;
            }
            errors.MaxLength(field, value, max);
            var unknown = PlaceholdersIn(value!).Where(p => !allowed.Contains(p, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                errors.Add(field, $"uses unknown placeholders {string.Join(", ", unknown.Select(u => "{{" + u + "}}"))}; "
                    + (allowed.Count == 0 ? "this template has none." : "allowed: " + string.Join(", ", allowed.Select(a => "{{" + a + "}}")) + "."));
            }
            var rest = Placeholder().Replace(value!, "");
            if (rest.Contains("{{", StringComparison.Ordinal) || rest.Contains("}}", StringComparison.Ordinal))
            {
                errors.Add(field, "has a malformed placeholder: write {{name}} with a letter first, then letters, digits, '_' or '.'.");
            }
        }
    }
}

/// <summary>
/// The wording in force for a template: an admin's override, else the built-in text; zh-CN when the language has
/// neither. The overrides are kept per process for a few seconds (<see cref="TimedSnapshot{T}"/>); an edit here
/// invalidates them at once.
/// </summary>
public sealed class NotificationTemplateStore(NotificationTemplateCatalog catalog, TimeProvider clock)
{
    private readonly TimedSnapshot<ILookup<string, NotificationTemplate>> _overrides = new(clock);

    public NotificationTemplateCatalog Catalog => catalog;

    /// <summary>Call after an override was stored or removed.</summary>
    public void Invalidate() => _overrides.Invalidate();

    /// <summary>The wording to send in <paramref name="language"/> and the language it is really in.</summary>
    /// <exception cref="ArgumentException">No template has the key (a module's mistake).</exception>
    public async Task<(TemplateText Text, string Language)> ResolveAsync(CareLoopDbContext db, string key, string language, CancellationToken ct)
    {
        var definition = catalog.Find(key) ?? throw new ArgumentException($"No notification template '{key}' is registered.", nameof(key));
        var overrides = (await _overrides.GetAsync(async () =>
            (await db.NotificationTemplates.AsNoTracking().ToListAsync(ct)).ToLookup(t => t.Key, StringComparer.Ordinal)))[key];
        string[] order = language == NotificationLanguages.Chinese ? [NotificationLanguages.Chinese] : [language, NotificationLanguages.Chinese];
        foreach (var lang in order)
        {
            if (overrides.FirstOrDefault(o => o.Language == lang) is { } o)
            {
                return (new TemplateText(o.Subject, o.Body), lang);
            }
            if (definition.For(lang) is { } builtIn)
            {
                return (builtIn, lang);
            }
        }
        throw new InvalidOperationException($"Notification template '{key}' has no zh-CN text.");
    }
}

/// <summary>The platform's own templates (modules add theirs in their AddX with <see cref="NotificationServices.AddNotificationTemplate"/>).</summary>
public static class BuiltInTemplates
{
    public const string Test = "test";
    public const string TicketCreated = "ticket.created";
    public const string RefundPaid = "refund.paid";

    public static readonly NotificationTemplateDefinition TestMessage = new(Test, ["sentAt", "sentBy"],
        new TemplateText("CareLoop 测试邮件", "这是一封来自 CareLoop 的测试邮件，说明邮件设置可用。\n\n发送时间：{{sentAt}}\n发送人：{{sentBy}}"),
        new TemplateText("CareLoop test e-mail", "This is a test e-mail from CareLoop: the e-mail settings work.\n\nSent at: {{sentAt}}\nSent by: {{sentBy}}"));

    public static readonly NotificationTemplateDefinition TicketCreatedMessage = new(TicketCreated, ["customerName", "ticketNo", "subject", "dueAt"],
        new TemplateText("您的服务单 {{ticketNo}} 已受理",
            "{{customerName}}，您好：\n\n我们已收到您的请求「{{subject}}」，服务单号 {{ticketNo}}。\n我们将在 {{dueAt}} 前给您答复。\n\n感谢您的耐心。"),
        new TemplateText("We have received your request {{ticketNo}}",
            "Dear {{customerName}},\n\nWe have received your request \"{{subject}}\" (ticket {{ticketNo}}).\nWe will answer by {{dueAt}}.\n\nThank you for your patience."));

    public static readonly NotificationTemplateDefinition RefundPaidMessage = new(RefundPaid, ["customerName", "orderNo", "amount"],
        new TemplateText("订单 {{orderNo}} 的退款已到账",
            "{{customerName}}，您好：\n\n订单 {{orderNo}} 的退款 {{amount}} 已原路退回，请注意查收。\n具体到账时间以支付渠道为准。"),
        new TemplateText("Your refund for order {{orderNo}} has been paid",
            "Dear {{customerName}},\n\nThe refund of {{amount}} for order {{orderNo}} has been paid back to your original payment method.\nWhen it appears depends on your payment provider."));
}
