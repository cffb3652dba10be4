using System.Security.Claims;
using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CareLoop.Server.Platform.Auth;

public static class AuthSetup
{
    public const string SmartScheme = "CareLoop";

    public static IServiceCollection AddCareLoopAuth(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddScoped<ApiKeyService>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SmartScheme;
                o.DefaultChallengeScheme = SmartScheme;
            })
            .AddPolicyScheme(SmartScheme, "API key or cookie", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = "careloop.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.Events.OnRedirectToLogin = ctx => ApiOr(ctx, 401);
            o.Events.OnRedirectToAccessDenied = ctx => ApiOr(ctx, 403);
        });
        services.AddIdentityCore<User>(o =>
            {
                o.Password.RequiredLength = 8;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.User.RequireUniqueEmail = true;
                o.Lockout.MaxFailedAccessAttempts = 10;
            })
            .AddRoles<Role>()
            .AddEntityFrameworkStores<CareLoopDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<CareLoopClaimsFactory>()
            .AddDefaultTokenProviders();

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Integration, p => p.RequireRole(Roles.Integration, Roles.Admin))
            .AddPolicy(Policies.Manage, p => p.RequireRole(Roles.Admin, Roles.Supervisor))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.ReadCommerce, p => p.RequireRole(
                Roles.Admin, Roles.Supervisor, Roles.Agent, Roles.Warehouse, Roles.Technician, Roles.Quality,
                Roles.Merchant, Roles.Customer, Roles.Integration))
            .AddPolicy(Policies.ServiceDesk, p => p.RequireRole(Roles.Admin, Roles.Supervisor, Roles.Agent))
            .AddPolicy(Policies.SubmitTickets, p => p.RequireRole(Roles.Admin, Roles.Supervisor, Roles.Agent, Roles.Integration, Roles.Customer))
            .AddPolicy(Policies.ReadTickets, p => p.RequireRole(Roles.Admin, Roles.Supervisor, Roles.Agent, Roles.Integration, Roles.Customer, Roles.Merchant))
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return services;
    }

    private static Task ApiOr(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Binds the request's caller to the row-level scope and the audit actor.</summary>
    public static IApplicationBuilder UseCallerScope(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (ctx.User.Identity?.IsAuthenticated == true)
        {
            ctx.RequestServices.GetRequiredService<CallerScope>().BindTo(ctx.User);
            ctx.RequestServices.GetRequiredService<CurrentActor>().Name =
                CareLoopClaims.ActorName(ctx.User);
        }
        await next();
    });
}

/// <summary>Adds the merchant or customer a user is bound to as claims.</summary>
public sealed class CareLoopClaimsFactory(UserManager<User> users, RoleManager<Role> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<User, Role>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(User user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.MerchantId is { } m) identity.AddClaim(new Claim(CareLoopClaims.MerchantId, m.ToString()));
        if (user.CustomerId is { } c) identity.AddClaim(new Claim(CareLoopClaims.CustomerId, c.ToString()));
        if (user.Email is { } e) identity.AddClaim(new Claim(ClaimTypes.Email, e));
        identity.AddClaim(new Claim("careloop:display", user.DisplayName));
        return identity;
    }
}
