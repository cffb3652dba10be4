using System.Security.Claims;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Components;
using CareLoop.Server.Modules.ServiceDesk;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Platform.Demo;

/// <summary>
/// The demo service desk: the agent login gets an agent profile (general group, online, capacity 20) and the demo
/// customer a few tickets, created through intake so numbers, policies, routing and SLA caches are real. Each part is
/// skipped when it already exists.
/// </summary>
public static class DemoServiceDesk
{
    public static async Task LoadIfEmptyAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<CareLoopDbContext>();
        var users = services.GetRequiredService<UserManager<User>>();
        var agent = await users.FindByEmailAsync($"{Roles.Agent}@{DemoData.Domain}");
        var customer = await users.FindByEmailAsync($"{Roles.Customer}@{DemoData.Domain}");
        if (agent is null || customer is null)
        {
            return;
        }
        if (!await db.AgentProfiles.AnyAsync(p => p.UserId == agent.Id, ct))
        {
            var general = await db.SupportGroups.Where(g => g.Code == ServiceDeskSeed.GeneralGroup).Select(g => g.Id).SingleAsync(ct);
            db.AgentProfiles.Add(new AgentProfile
            {
                UserId = agent.Id, DisplayName = agent.DisplayName, Groups = [general], Capacity = 20, Presence = Presence.Online,
                PresenceChangedAt = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(ct);
        }
        var customerId = customer.CustomerId!.Value;
        if (await db.Tickets.IgnoreQueryFilters().AnyAsync(t => t.CustomerId == customerId, ct))
        {
            return;
        }
        var orders = await db.Orders.IgnoreQueryFilters().Where(o => o.CustomerId == customerId)
            .OrderByDescending(o => o.PaidAt).Select(o => o.ExternalId).Take(3).ToListAsync(ct);
        var factory = services.GetRequiredService<IUserClaimsPrincipalFactory<User>>();
        var asCustomer = await factory.CreateAsync(customer);
        var asAgent = await factory.CreateAsync(agent);
        var scopes = services.GetRequiredService<IServiceScopeFactory>();

        var samples = new (TicketCategory Category, string Subject, string Message, string? Reply, TicketStatus? Then)[]
        {
            (TicketCategory.Logistics, "快递三天没有更新", "您好，我的快递已经三天没有物流更新了，请帮忙查一下。", null, null),
            (TicketCategory.QualityIssue, "耳机左耳没有声音", "收到的耳机左耳没有声音，已经重新配对过，还是不行。", "您好，请问可以拍一张耳机和包装的照片吗？", TicketStatus.Pending),
            (TicketCategory.Invoice, "需要开具增值税发票", "请帮我开具这笔订单的增值税普通发票，抬头是个人。", "您好，发票已开具并发送到您的邮箱。", TicketStatus.Solved),
        };
        for (var i = 0; i < samples.Length; i++)
        {
            var s = samples[i];
            var order = i < orders.Count ? orders[i] : null;
            var number = await scopes.ForUserAsync<CreateTicket, long?>(asCustomer, async create =>
            {
                var result = await create.HandleAsync(new CreateTicketRequest(TicketChannel.Web, null, order, null, s.Category, null, s.Subject, s.Message, null, null), asCustomer, ct);
                return result.Result is Microsoft.AspNetCore.Http.HttpResults.Created<TicketView> created ? created.Value!.Number : null;
            });
            if (number is { } n && s.Reply is { } reply)
            {
                await scopes.ForUserAsync<TicketActions, TicketChange>(asAgent, actions =>
                    actions.ReplyAsync(n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        new ReplyRequest(reply, MessageVisibility.Public, null, s.Then), asAgent, ct));
            }
        }
    }
}
