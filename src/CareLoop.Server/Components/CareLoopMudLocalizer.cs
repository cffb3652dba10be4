using CareLoop.Server.Resources;
using Microsoft.Extensions.Localization;
using MudBlazor;

namespace CareLoop.Server.Components;

/// <summary>
/// MudBlazor's own strings (pager buttons, close buttons, "loading") from the shared resources, under the key
/// <c>Mud_</c> + MudBlazor's key. MudBlazor falls back to its built-in English when a key is missing.
/// </summary>
public sealed class CareLoopMudLocalizer(IStringLocalizer<SharedResource> localizer) : MudLocalizer
{
    public const string Prefix = "Mud_";

    public override LocalizedString this[string key] => Wrap(key, localizer[Prefix + key]);

    public override LocalizedString this[string key, params object[] arguments] => Wrap(key, localizer[Prefix + key, arguments]);

    private static LocalizedString Wrap(string key, LocalizedString found) =>
        new(key, found.ResourceNotFound ? key : found.Value, found.ResourceNotFound);
}
