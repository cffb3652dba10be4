using System.Security.Claims;
using CareLoop.Domain.ServiceDesk;
using CareLoop.Server.Components;
using CareLoop.Server.Modules.ServiceDesk;
using CareLoop.Server.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace CareLoop.Browser.Tests;

/// <summary>
/// Service-desk arrangements made the way the pages and the API make them: through the desk services, in a scope
/// bound to a demo login (so row-level filters and actors are real).
/// </summary>
internal sealed class DeskSteps(ServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The signed-in principal of a demo login (the same claims the cookie carries).</summary>
    public async Task<ClaimsPrincipal> PrincipalAsync(string role)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = await users.FindByEmailAsync(BrowserSteps.Login(role)) ?? throw new InvalidOperationException($"no demo login {role}");
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<User>>().CreateAsync(user);
    }

    /// <summary>A ticket the demo customer submits from the portal channel.</summary>
    public async Task<TicketView> CustomerTicketAsync(string subject, string message, string? order = null, TicketCategory category = TicketCategory.QualityIssue)
    {
        var customer = await PrincipalAsync(Roles.Customer);
        var result = await server.Services.GetRequiredService<IServiceScopeFactory>().ForUserAsync<CreateTicket, object>(customer, async create =>
            (await create.HandleAsync(new CreateTicketRequest(TicketChannel.Web, null, order, null, category, null, subject, message, null, null), customer, Ct)).Result);
        return result is Created<TicketView> created ? created.Value! : throw new InvalidOperationException($"ticket not created: {result}");
    }

    /// <summary>A reply by the demo agent, optionally setting the status.</summary>
    public async Task<TicketView> AgentReplyAsync(long number, string body, TicketStatus? status = null)
    {
        var agent = await PrincipalAsync(Roles.Agent);
        var change = await server.Services.GetRequiredService<IServiceScopeFactory>().ForUserAsync<TicketActions, TicketChange>(agent, actions =>
            actions.ReplyAsync(number.ToString(System.Globalization.CultureInfo.InvariantCulture), new ReplyRequest(body, MessageVisibility.Public, null, status), agent, Ct));
        return change.Ticket ?? throw new InvalidOperationException($"reply refused: {change.Problem}");
    }

    /// <summary>A macro made through the same service the macros page uses.</summary>
    public async Task<MacroView> MacroAsync(string name, string bodyZh, string? bodyEn = null, TicketStatus? setStatus = null)
    {
        var supervisor = await PrincipalAsync(Roles.Supervisor);
        var (view, _) = await server.Services.GetRequiredService<IServiceScopeFactory>().ForUserAsync<Macros, (MacroView?, CareLoop.Server.Platform.Api.ValidationErrors)>(
            supervisor, macros => macros.SaveAsync(null, new MacroBody(name, bodyZh, bodyEn, setStatus), Ct));
        return view ?? throw new InvalidOperationException("macro not saved");
    }

    /// <summary>A small real PNG photo (a coloured gradient).</summary>
    public static byte[] Png(int width = 120, int height = 90)
    {
        using var bitmap = new SKBitmap(width, height);
        for (var x = 0; x < width; x++)
        {
            for (var y = 0; y < height; y++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 2), (byte)(y * 2), 160));
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";
}
