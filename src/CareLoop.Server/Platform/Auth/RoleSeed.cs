using Microsoft.AspNetCore.Identity;

namespace CareLoop.Server.Platform.Auth;

public static class RoleSeed
{
    public static async Task EnsureRolesAsync(IServiceProvider services, CancellationToken ct)
    {
        var roles = services.GetRequiredService<RoleManager<Role>>();
        foreach (var name in Roles.All)
        {
            ct.ThrowIfCancellationRequested();
            if (!await roles.RoleExistsAsync(name))
            {
                await roles.CreateAsync(new Role(name));
            }
        }
    }
}
