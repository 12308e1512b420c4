namespace Nehr.Portal.Hosting.NationalIdentity;

/// <summary>
/// <c>Nehr:NationalIdentity</c>: how patients sign in, with the national digital identity (Singpass's OpenID Connect
/// profile). Only settings differ between the real provider and the development stand-in.
/// </summary>
internal sealed class NationalIdentityOptions
{
    public const string Section = "Nehr:NationalIdentity";

    /// <summary>
    /// The provider's issuer (its discovery document is at <c>{Issuer}/.well-known/openid-configuration</c>), e.g.
    /// <c>https://id.singpass.gov.sg</c>. Empty with <see cref="DevelopmentProvider"/>: the stand-in's, on the portal's own address.
    /// </summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>The portal's client id at the provider.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>
    /// The portal's EC private key (PEM; P-256, P-384 or P-521) that signs its client assertions (<c>private_key_jwt</c>).
    /// Its public half is in the portal's JWKS. Required outside Development and the tests, where a key made at start is used.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>
    /// The portal's EC private key (PEM) to which the provider encrypts ID tokens (ECDH-ES+A256KW). When it is set
    /// (and always with the development provider), an ID token that is not encrypted is refused.
    /// </summary>
    public string? EncryptionKeyFile { get; set; }

    /// <summary>
    /// Host the development stand-in provider on the portal's own paths (<c>/dev-idp</c>). Development and the test host
    /// only: the portal refuses to start in any other environment with it on.
    /// </summary>
    public bool DevelopmentProvider { get; set; }

    /// <summary>How long the provider's and the portal's clocks may differ when an ID token's times are checked.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    public bool IsConfigured => ClientId.Length > 0 && (Issuer.Length > 0 || DevelopmentProvider);
}
