using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Nehr.Portal.Hosting.NationalIdentity;

/// <summary>
/// The portal's own keys toward the national identity provider: the one that signs its client assertions
/// (<c>private_key_jwt</c>) and the one ID tokens are encrypted to. Their public halves are the portal's JWKS, which the
/// provider is given (<c>/.well-known/jwks.json</c>). Read from PEM files; in Development and the tests, made at start
/// when no file is named (a restart makes new ones, which the in-process development provider reads directly).
/// </summary>
internal sealed class NationalIdentityKeys
{
    /// <summary>How long a client assertion is valid: the profile allows at most 2 minutes.</summary>
    public static readonly TimeSpan AssertionLifetime = TimeSpan.FromSeconds(60);

    public const string JwksPath = "/.well-known/jwks.json";

    private NationalIdentityKeys(ECDsaSecurityKey signing, ECDsaSecurityKey? encryption)
    {
        Signing = signing;
        Encryption = encryption;
        Jwks = JsonSerializer.Serialize(new { keys = new[] { PublicJwk(signing, "sig", SigningAlgorithm(signing)) }.Concat(encryption is null ? [] : [PublicJwk(encryption, "enc", "ECDH-ES+A256KW")]) });
    }

    public ECDsaSecurityKey Signing { get; }

    /// <summary>Null when ID tokens are not encrypted.</summary>
    public ECDsaSecurityKey? Encryption { get; }

    /// <summary>The public JWKS (signing and encryption keys), as served.</summary>
    public string Jwks { get; }

    public static NationalIdentityKeys Load(NationalIdentityOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var mayMake = environment.IsDevelopment() || environment.IsEnvironment("Test");
        var signing = options.SigningKeyFile is { Length: > 0 } signingFile ? Read(signingFile)
            : mayMake ? Make()
            : throw new OptionsValidationException(NationalIdentityOptions.Section, typeof(NationalIdentityOptions),
                [$"{NationalIdentityOptions.Section}:SigningKeyFile is not set: the portal has no key to sign its client assertions with."]);
        var encryption = options.EncryptionKeyFile is { Length: > 0 } encryptionFile ? Read(encryptionFile)
            : options.DevelopmentProvider && mayMake ? Make()
            : null;
        return new NationalIdentityKeys(signing, encryption);
    }

    /// <summary>A client assertion (RFC 7523) for <paramref name="audience"/> (the provider's issuer), valid for <see cref="AssertionLifetime"/>.</summary>
    public string ClientAssertion(string clientId, string audience, DateTimeOffset now) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + AssertionLifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = clientId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = new SigningCredentials(Signing, SigningAlgorithm(Signing)),
        });

    /// <summary>ES256, ES384 or ES512, by the key's curve.</summary>
    public static string SigningAlgorithm(ECDsaSecurityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.KeySize switch
        {
            256 => SecurityAlgorithms.EcdsaSha256,
            384 => SecurityAlgorithms.EcdsaSha384,
            _ => SecurityAlgorithms.EcdsaSha512,
        };
    }

    /// <summary>The public half of <paramref name="key"/>, as a key another party may hold.</summary>
    public static ECDsaSecurityKey PublicOf(ECDsaSecurityKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new ECDsaSecurityKey(ECDsa.Create(key.ECDsa.ExportParameters(false))) { KeyId = key.KeyId };
    }

    private static Dictionary<string, string> PublicJwk(ECDsaSecurityKey key, string use, string alg)
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(PublicOf(key));
        return new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = jwk.Crv,
            ["x"] = jwk.X,
            ["y"] = jwk.Y,
            ["use"] = use,
            ["alg"] = alg,
            ["kid"] = key.KeyId,
        };
    }

    private static ECDsaSecurityKey Make() => WithThumbprint(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    private static ECDsaSecurityKey Read(string path)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw new InvalidOperationException($"The national identity key file {path} could not be read as an EC private key (PEM): {e.Message}", e);
        }

        if (ecdsa.KeySize is not (256 or 384 or 521))
        {
            throw new InvalidOperationException($"The national identity key in {path} is not on P-256, P-384 or P-521.");
        }

        return WithThumbprint(ecdsa);
    }

    /// <summary>The key, with its RFC 7638 thumbprint as its id.</summary>
    private static ECDsaSecurityKey WithThumbprint(ECDsa ecdsa)
    {
        var key = new ECDsaSecurityKey(ecdsa);
        key.KeyId = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false)))).ComputeJwkThumbprint());
        return key;
    }
}
