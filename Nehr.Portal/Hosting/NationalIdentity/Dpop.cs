using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Nehr.Portal.Hosting.NationalIdentity;

/// <summary>
/// DPoP (RFC 9449), FAPI 2.0's sender constraint: the portal proves possession of a key of its own with every token
/// request (a proof JWT in the <c>DPoP</c> header, for that method and URL, made once), and names the key's thumbprint
/// in its pushed authorization request (<c>dpop_jkt</c>), so that a code stolen on the way back is worth nothing to
/// anyone without the key. The key lives in memory for the process: a proof needs no key the provider registered.
/// </summary>
internal sealed class Dpop
{
    public const string Header = "DPoP";
    public const string ProofType = "dpop+jwt";

    private readonly ECDsaSecurityKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private readonly Dictionary<string, object> _publicJwk;

    public Dpop()
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(NationalIdentityKeys.PublicOf(_key));
        _publicJwk = new Dictionary<string, object> { ["kty"] = "EC", ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y };
        Thumbprint = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
    }

    /// <summary>The key's RFC 7638 thumbprint: <c>dpop_jkt</c> of the pushed request.</summary>
    public string Thumbprint { get; }

    /// <summary>A proof for one request: <paramref name="method"/> at <paramref name="url"/> (no query or fragment), now.</summary>
    public string Proof(string method, Uri url, DateTimeOffset now, string? nonce = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var claims = new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["htm"] = method,
            ["htu"] = url.GetLeftPart(UriPartial.Path),
            ["iat"] = now.ToUnixTimeSeconds(),
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonSerializer.Serialize(claims),
            new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256),
            new Dictionary<string, object> { ["typ"] = ProofType, ["jwk"] = _publicJwk });
    }

    /// <summary>
    /// Checks a proof as a provider does: its type, algorithm and embedded public key, its signature by that key, the
    /// method and URL, its age (at most <paramref name="maxAge"/> either way) and, when given, the key's thumbprint.
    /// Returns the problem, or null with the thumbprint of the key that signed it.
    /// </summary>
    public static async Task<(string? Problem, string? Thumbprint, string? Id)> CheckAsync(
        string? proof, string method, Uri url, DateTimeOffset now, TimeSpan maxAge, string? expectedThumbprint)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (string.IsNullOrEmpty(proof))
        {
            return ("a DPoP proof is required (the DPoP header)", null, null);
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(proof);
        }
        catch (ArgumentException)
        {
            return ("the DPoP proof is not a JWT", null, null);
        }

        if (token.Typ != ProofType || token.Alg is not (SecurityAlgorithms.EcdsaSha256 or SecurityAlgorithms.EcdsaSha384 or SecurityAlgorithms.EcdsaSha512)
            || !token.TryGetHeaderValue<JsonElement>("jwk", out var jwkElement))
        {
            return ("the DPoP proof must be of type dpop+jwt, signed ES256/384/512, with its public key in the jwk header", null, null);
        }

        var jwk = new JsonWebKey(jwkElement.GetRawText());
        if (jwk.Kty != "EC" || !string.IsNullOrEmpty(jwk.D))
        {
            return ("the DPoP proof's jwk must be a public EC key", null, null);
        }

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(proof, new TokenValidationParameters
        {
            IssuerSigningKey = jwk,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidTypes = [ProofType],
        });
        if (!result.IsValid)
        {
            return ("the DPoP proof's signature does not verify with its own key", null, null);
        }

        var claims = (JsonWebToken)result.SecurityToken;
        if (!claims.TryGetPayloadValue<string>("htm", out var htm) || htm != method
            || !claims.TryGetPayloadValue<string>("htu", out var htu) || htu != url.GetLeftPart(UriPartial.Path))
        {
            return ($"the DPoP proof is not for {method} {url.GetLeftPart(UriPartial.Path)}", null, null);
        }

        if (!claims.TryGetPayloadValue<long>("iat", out var iat) || (now - DateTimeOffset.FromUnixTimeSeconds(iat)).Duration() > maxAge)
        {
            return ("the DPoP proof is too old, or from the future", null, null);
        }

        var thumbprint = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
        if (expectedThumbprint is not null && thumbprint != expectedThumbprint)
        {
            return ("the DPoP proof is signed with another key than the authorization request named (dpop_jkt)", null, null);
        }

        return claims.TryGetPayloadValue<string>("jti", out var jti) && !string.IsNullOrEmpty(jti)
            ? (null, thumbprint, jti)
            : ("the DPoP proof has no jti", null, null);
    }
}
