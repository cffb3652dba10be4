using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CareLoop.Server.Platform.Api;

namespace CareLoop.Server.Tests.Infrastructure;

/// <summary>JSON helpers with the API's conventions, and assertions on problem answers.</summary>
public static class Api
{
    public static JsonSerializerOptions Json => ApiJson.Options;

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object body) =>
        client.PutAsJsonAsync(url, body, Json);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, Json);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body) =>
        client.PatchAsJsonAsync(url, body, Json);

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("Empty body.");

    /// <summary>Asserts the status, showing the body when it differs.</summary>
    public static async Task<JsonNode?> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {status}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>Asserts a 400 problem whose errors name <paramref name="field"/>; returns that field's messages.</summary>
    public static async Task<string> ExpectFieldErrorAsync(this HttpResponseMessage response, string field)
    {
        var body = await response.ExpectAsync(HttpStatusCode.BadRequest);
        var errors = body?["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"Expected an error for '{field}', got: {body?.ToJsonString()}");
        return errors[field]!.ToJsonString();
    }
}
