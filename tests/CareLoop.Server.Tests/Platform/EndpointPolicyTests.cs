using CareLoop.Server.Platform.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CareLoop.Server.Tests.Platform;

/// <summary>Every endpoint declares who may call it; only the documented ones are anonymous.</summary>
public sealed class EndpointPolicyTests
{
    private static readonly string[] AnonymousAllowed =
    [
        "/health/live", "/health/ready", "/metrics", "/openapi/{documentName}.json", "/docs", "/account/login", "/account/culture", "/account/denied",
        "/api/v1/callbacks/{source}",
    ];

    /// <summary>Callers of these prove who they are by a Standard Webhooks signature with their source's secret, not a key.</summary>
    private static readonly string[] SignedCallbacks = ["/api/v1/callbacks/{source}"];

    private static IReadOnlyList<RouteEndpoint> Endpoints()
    {
        var data = Directory.CreateTempSubdirectory("careloop-endpoints-").FullName;
        var app = CareLoopApp.Build(new ServerOptions { DataFolder = data, Urls = "http://127.0.0.1:0" });
        // Building the route table needs the endpoints mapped, not the server started.
        return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
    }

    /// <summary>The route template with a leading slash (group prefixes are combined without one).</summary>
    private static string Pattern(RouteEndpoint e) => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/');

    [Fact]
    public void ApiEndpoints_AllDeclareAPolicy_AndNoneAreAnonymous()
    {
        var api = Endpoints().Where(e => Pattern(e).StartsWith("/api/", StringComparison.Ordinal) && !SignedCallbacks.Contains(Pattern(e))).ToList();

        Assert.NotEmpty(api);
        foreach (var endpoint in api)
        {
            Assert.Null(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
            Assert.True(endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null || a.Roles is not null),
                $"{endpoint.DisplayName} declares no policy");
        }
    }

    [Fact]
    public void OnlyTheDocumentedEndpointsAreAnonymous()
    {
        var anonymous = Endpoints()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(Pattern)
            .Where(p => !p.StartsWith("/_", StringComparison.Ordinal) && !p.Contains('.', StringComparison.Ordinal) || p.StartsWith("/openapi", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        Assert.Contains("/health/live", anonymous);
        Assert.Contains("/account/login", anonymous);
        foreach (var pattern in anonymous)
        {
            Assert.True(AnonymousAllowed.Any(a => pattern.StartsWith(a, StringComparison.Ordinal)), $"{pattern} is anonymous but not on the list");
        }
    }
}
