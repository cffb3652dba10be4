using Microsoft.OpenApi;

namespace CareLoop.Server.Platform.Api;

/// <summary>The OpenAPI document: title, description and the API-key bearer scheme every /api endpoint uses.</summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddCareLoopOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "CareLoop API",
                Version = "v1",
                Description = "After-sales service and quality control for e-commerce. Authenticate with `Authorization: Bearer cl_<keyId>_<secret>` " +
                    "(create keys with `careloop apikeys create` or POST /api/v1/apikeys). Errors are RFC 9457 problem details; " +
                    "lists are cursor pages { items, nextCursor }; creating POSTs accept Idempotency-Key; updates accept If-Match.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "cl_<keyId>_<secret>",
                Description = "A CareLoop API key.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] });
            return Task.CompletedTask;
        }));
}
