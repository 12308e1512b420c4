using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Nehr.Integration.Tests;

/// <summary>
/// A national identity provider the test controls, behind the portal's back channel: it answers discovery, JWKS,
/// PAR and the token request, records what the portal sent, and answers the token request with the ID token the
/// test makes (<see cref="IdToken"/>), so that the portal's handler can be shown a wrong issuer, an expired token, a
/// bad nonce, and so on.
/// </summary>
internal sealed class NationalIdentityProviderStub : HttpMessageHandler
{
    public const string Issuer = "https://id.stub.example";

    public ECDsaSecurityKey SigningKey { get; } = new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "stub-signing" };

    /// <summary>The form of the last pushed authorization request (its state and nonce are the flow's).</summary>
    public Dictionary<string, string> Pushed { get; private set; } = [];

    /// <summary>The form of the last token request.</summary>
    public Dictionary<string, string> TokenRequest { get; private set; } = [];

    /// <summary>The DPoP proof of the last token request.</summary>
    public string? TokenRequestDpop { get; private set; }

    /// <summary>Makes the token response's id_token from the pushed request's nonce.</summary>
    public Func<string, string> IdToken { get; set; } = _ => throw new InvalidOperationException("The test set no ID token.");

    /// <summary>A signed ID token with the usual claims, each of which <paramref name="change"/> may replace or remove.</summary>
    public string Signed(string nonce, DateTimeOffset now, string sub, Action<Dictionary<string, object>>? change = null, SecurityKey? key = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = PortalFactory.NationalIdentityClientId,
            ["sub"] = sub,
            ["nonce"] = nonce,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        change?.Invoke(claims);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(JsonSerializer.Serialize(claims),
            new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.EcdsaSha256));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        return path switch
        {
            "/.well-known/openid-configuration" => Json(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["authorization_endpoint"] = Issuer + "/authorize",
                ["pushed_authorization_request_endpoint"] = Issuer + "/par",
                ["token_endpoint"] = Issuer + "/token",
                ["jwks_uri"] = Issuer + "/jwks",
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "ES256" },
            }),
            "/jwks" => Json(new { keys = new[] { Jwk(SigningKey) } }),
            "/par" => Push(await FormAsync(request, cancellationToken)),
            "/token" => Token(await FormAsync(request, cancellationToken), request.Headers.TryGetValues("DPoP", out var proofs) ? proofs.Single() : null),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        };
    }

    private HttpResponseMessage Push(Dictionary<string, string> form)
    {
        Pushed = form;
        return Json(new { request_uri = "urn:ietf:params:oauth:request_uri:stub", expires_in = 60 }, HttpStatusCode.Created);
    }

    private HttpResponseMessage Token(Dictionary<string, string> form, string? dpop)
    {
        TokenRequest = form;
        TokenRequestDpop = dpop;
        return Json(new { access_token = "stub-access-token", token_type = "Bearer", expires_in = 600, id_token = IdToken(Pushed["nonce"]) });
    }

    private static async Task<Dictionary<string, string>> FormAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public static object Jwk(ECDsaSecurityKey key)
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(key.ECDsa.ExportParameters(false))));
        return new { kty = "EC", crv = jwk.Crv, x = jwk.X, y = jwk.Y, use = "sig", alg = "ES256", kid = key.KeyId };
    }

    private static HttpResponseMessage Json(object body, HttpStatusCode status = HttpStatusCode.OK) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
    };
}
