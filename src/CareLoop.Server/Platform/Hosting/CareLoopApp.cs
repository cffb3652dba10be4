using System.Globalization;
using System.Threading.RateLimiting;
using CareLoop.Server.Components;
using CareLoop.Server.Modules.Calendars;
using CareLoop.Server.Modules.Commerce;
using CareLoop.Server.Modules.ServiceDesk;
using CareLoop.Server.Platform.Api;
using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Jobs;
using CareLoop.Server.Platform.Notifications;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Platform.Webhooks;
using CareLoop.Server.Platform.Files;
using CareLoop.Server.Platform.Settings;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.RateLimiting;
using MudBlazor.Services;
using Prometheus;
using Scalar.AspNetCore;

namespace CareLoop.Server.Platform.Hosting;

/// <summary>Builds the CareLoop web application: every module's AddX and MapX are wired here.</summary>
public static class CareLoopApp
{
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    public static WebApplication Build(ServerOptions options, string[]? args = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            // The host is also built by tests and benchmarks: name the application so static assets and components resolve.
            ApplicationName = typeof(CareLoopApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Structured logs: `Logging:Format=json` (or CARELOOP_LOG_FORMAT=json) writes one JSON object per line.
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["Logging:Format"] ?? Environment.GetEnvironmentVariable("CARELOOP_LOG_FORMAT"), "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        }
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 16 * 1024 * 1024);
        if (options.Urls is not null)
        {
            builder.WebHost.UseUrls(options.Urls);
        }
        else if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(ServerOptions.DefaultUrl);
        }

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddCareLoopData(options);
        services.AddCareLoopAuth();
        services.AddCareLoopDataProtection();
        services.AddCareLoopSignalR(builder.Configuration);
        services.AddCareLoopProblems();
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddLocalization();
        services.AddCareLoopOpenApi();
        services.AddAntiforgery();
        services.AddHealthChecks().AddDbContextCheck<CareLoopDbContext>("database", tags: ["ready"]);
        services.AddCareLoopRateLimits();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddTransient<MudBlazor.MudLocalizer, CareLoopMudLocalizer>();
        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor();

        if (TestClockHook.IsEnabled(builder.Configuration))
        {
            services.AddTestClockHook();
        }
        services.AddCareLoopModules(builder.Configuration);

        configure?.Invoke(builder);
        var app = builder.Build();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLocalization(new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("zh-CN"),
            SupportedCultures = Cultures,
            SupportedUICultures = Cultures,
            RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()],
        });
        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseCallerScope();
        app.UseMiddleware<IdempotencyMiddleware>();
        app.UseAntiforgery();

        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapMetrics("/metrics").AllowAnonymous();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("CareLoop API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();

        app.MapAccountEndpoints();
        app.MapSettings();
        app.MapOutbox();
        app.MapWebhooks();
        app.MapNotifications();
        app.MapJobs();
        if (TestClockHook.IsEnabled(app.Configuration))
        {
            app.MapTestClockHook();
        }
        app.MapApiKeys();
        app.MapWhoAmI();
        app.MapAudit();
        app.MapFiles();
        app.MapCalendars();
        app.MapCommerce();
        app.MapServiceDesk();

        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>
    /// The platform services and modules, registered the same way for the web host and the command line (so a CLI
    /// import raises the same domain events and webhooks as the API). Hosted services only run in the web host.
    /// </summary>
    public static IServiceCollection AddCareLoopModules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOutbox();
        services.AddWebhooks(configuration);
        services.AddNotifications(configuration);
        services.AddJobs();
        services.AddSettings();
        services.AddFiles();
        services.AddCalendars();
        services.AddCommerce();
        services.AddServiceDesk();
        return services;
    }

    /// <summary>Migrates the database and seeds what every installation needs (built-in calendars, roles, settings).</summary>
    public static async Task PrepareDatabaseAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await DataServices.MigrateAsync(services, ct);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CareLoopDbContext>();
        await CalendarSeed.EnsureBuiltInsAsync(db, ct);
        await RoleSeed.EnsureRolesAsync(scope.ServiceProvider, ct);
        await ServiceDeskSeed.EnsureAsync(db, ct);
        PlatformLog.DatabaseReady(scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("CareLoop.Platform"),
            db.IsPostgres ? "PostgreSQL" : "SQLite");
    }

    /// <summary>
    /// Fixed-window limits per client address on sign-in and public endpoints. Read from configuration on each
    /// request (<c>RateLimits:Enabled</c>, <c>RateLimits:SignInPerMinute</c>, <c>RateLimits:PublicPerMinute</c>) so
    /// benchmarks can switch them off.
    /// </summary>
    private static IServiceCollection AddCareLoopRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = 429;
            o.AddPolicy(RateLimitPolicies.SignIn, ctx => Partition(ctx, "RateLimits:SignInPerMinute", 20));
            o.AddPolicy(RateLimitPolicies.Public, ctx => Partition(ctx, "RateLimits:PublicPerMinute", 600));
        });
        return services;

        static RateLimitPartition<string> Partition(HttpContext ctx, string key, int fallback)
        {
            var config = ctx.RequestServices.GetRequiredService<IConfiguration>();
            if (!config.GetValue("RateLimits:Enabled", true))
            {
                return RateLimitPartition.GetNoLimiter("off");
            }
            var limit = config.GetValue(key, fallback);
            return RateLimitPartition.GetFixedWindowLimiter($"{key}:{limit}:{ctx.Connection.RemoteIpAddress}",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1) });
        }
    }
}

public static class RateLimitPolicies
{
    public const string SignIn = "sign-in";
    public const string Public = "public";
}
