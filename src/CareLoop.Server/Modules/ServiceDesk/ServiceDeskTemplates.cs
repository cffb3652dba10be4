using CareLoop.Server.Platform.Notifications;
using CareLoop.Server.Platform.Settings;

namespace CareLoop.Server.Modules.ServiceDesk;

public static class ServiceDeskTemplates
{
    public const string Replied = "ticket.replied";
    public const string Escalated = "sla.escalated";

    public static readonly NotificationTemplateDefinition RepliedMessage = new(Replied, ["customerName", "ticketNo", "subject", "reply"],
        new TemplateText("您的服务单 {{ticketNo}} 有新回复",
            "{{customerName}}，您好：\n\n关于「{{subject}}」（服务单 {{ticketNo}}），客服回复如下：\n\n{{reply}}\n\n如有疑问，直接回复即可。"),
        new TemplateText("New reply on your request {{ticketNo}}",
            "Dear {{customerName}},\n\nAbout \"{{subject}}\" (ticket {{ticketNo}}), our service team replied:\n\n{{reply}}\n\nJust reply if you have any questions."));

    public static readonly NotificationTemplateDefinition EscalatedMessage = new(Escalated, ["ticketNo", "subject", "metric", "kind"],
        new TemplateText("服务单 {{ticketNo}} SLA 升级：{{metric}} {{kind}}",
            "服务单 {{ticketNo}}「{{subject}}」的 SLA 指标 {{metric}} 状态为 {{kind}}，请及时处理。"),
        new TemplateText("Ticket {{ticketNo}} escalated: {{metric}} {{kind}}",
            "The SLA metric {{metric}} of ticket {{ticketNo}} \"{{subject}}\" is {{kind}}. Please act on it."));
}

public static class ServiceDeskSettings
{
    public const string AutoCloseDays = "serviceDesk.autoCloseDays";

    public static readonly SettingDefinition AutoClose = new(AutoCloseDays, SettingType.Integer, "4", "serviceDesk") { Min = 1, Max = 90 };
}
