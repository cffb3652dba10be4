using CareLoop.Server.Platform.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace CareLoop.Server.Platform.Auth;

/// <summary>Cookie sign-in and sign-out for the UI (form posts from the sign-in page), and the culture switch.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/account").ExcludeFromDescription();
        group.MapPost("/login", SignIn).AllowAnonymous().RequireRateLimiting(RateLimitPolicies.SignIn);
        group.MapPost("/logout", SignOut).RequireAuthorization();
        group.MapGet("/culture", SetCulture).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> SignIn(
        [FromForm] string email, [FromForm] string password, [FromForm] string? returnUrl,
        SignInManager<User> signIn, HttpContext http)
    {
        var target = SafeReturn(returnUrl);
        var result = await signIn.PasswordSignInAsync(email ?? "", password ?? "", isPersistent: true, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            var reason = result.IsLockedOut ? "locked" : "invalid";
            return Results.LocalRedirect($"/account/login?error={reason}&returnUrl={Uri.EscapeDataString(target)}");
        }
        return Results.LocalRedirect(target);
    }

    private static async Task<IResult> SignOut(SignInManager<User> signIn)
    {
        await signIn.SignOutAsync();
        return Results.LocalRedirect("/account/login");
    }

    private static IResult SetCulture(string culture, string? returnUrl, HttpContext http, TimeProvider clock)
    {
        if (CareLoopApp.Cultures.Any(c => c.Name == culture))
        {
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = clock.GetUtcNow().AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax });
        }
        return Results.LocalRedirect(SafeReturn(returnUrl));
    }

    private static string SafeReturn(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
}
