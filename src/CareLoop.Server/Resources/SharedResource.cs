namespace CareLoop.Server.Resources;

/// <summary>Marker for the shared UI and API text resources (SharedResource.resx = zh-CN, SharedResource.en.resx = English).</summary>
public sealed class SharedResource;
