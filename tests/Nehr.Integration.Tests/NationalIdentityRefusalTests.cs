using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Nehr.Core.Audit;
using Nehr.Core.Data.Demo;
using Nehr.Portal.Hosting.NationalIdentity;

namespace Nehr.Integration.Tests;

/// <summary>
/// The portal's OpenID Connect handler against a provider the test controls: what the portal sends (PAR, PKCE,
/// private_key_jwt), and every ID token it must refuse. A refused sign-in ends on the sign-in page with a message,
/// audited, with no account made and no session.
/// </summary>
public sealed class NationalIdentityRefusalTests(StubProviderPortal fixture) : IClassFixture<StubProviderPortal>
{
    private readonly PortalFactory _portal = fixture.Portal;
    private readonly NationalIdentityProviderStub _provider = fixture.Provider;

    private NationalIdentityKeys Keys => _portal.Services.GetRequiredService<NationalIdentityKeys>();

    private DateTimeOffset Now => _portal.Clock.GetUtcNow();

    /// <summary>The portal requires encrypted ID tokens (it has an encryption key): encrypted to it, as the provider does.</summary>
    private string Encrypted(string signed) => Jwe.Encrypt(signed, NationalIdentityKeys.PublicOf(Keys.Encryption!));

    private async Task<string> PatientSubAsync() => $"s={await _portal.NricOfAsync(DemoAccounts.Patient)},u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f";

    /// <summary>Starts a sign-in (the portal pushes its request to the stub), then comes back to the callback with a code.</summary>
    private async Task<(HttpClient Client, HttpResponseMessage Callback)> SignInWithAsync(Func<string, string> idToken)
    {
        _provider.IdToken = idToken;
        var client = _portal.NewClient();
        using var start = await client.GetAsync(NationalIdentityExtensions.SignInPath);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        Assert.StartsWith(NationalIdentityProviderStub.Issuer + "/authorize?", start.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        var callback = await client.GetAsync($"{NationalIdentityExtensions.CallbackPath}?code=stub-code&state={Uri.EscapeDataString(_provider.Pushed["state"])}");
        return (client, callback);
    }

    [Fact]
    public async Task A_valid_encrypted_id_token_signs_the_patient_in()
    {
        var sub = await PatientSubAsync();
        var (client, callback) = await SignInWithAsync(nonce => Encrypted(_provider.Signed(nonce, Now, sub)));

        Assert.Equal(NationalIdentityExtensions.CompletePath, callback.Headers.Location!.OriginalString.Split('?')[0]);
        using var complete = await client.GetAsync(callback.Headers.Location);
        Assert.Equal("/", complete.Headers.Location?.OriginalString);
        using var area = await client.GetAsync("/patient");
        Assert.Equal(HttpStatusCode.OK, area.StatusCode);
        client.Dispose();
        callback.Dispose();
    }

    [Fact]
    public async Task The_portal_pushes_its_request_with_pkce_and_authenticates_with_a_short_lived_private_key_jwt_each_time()
    {
        var sub = await PatientSubAsync();
        var (client, callback) = await SignInWithAsync(nonce => Encrypted(_provider.Signed(nonce, Now, sub)));
        client.Dispose();
        callback.Dispose();

        var pushed = _provider.Pushed;
        Assert.Equal("code", pushed["response_type"]);
        Assert.Equal("openid", pushed["scope"]);
        Assert.Equal("S256", pushed["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(pushed["nonce"]));
        Assert.False(pushed.ContainsKey("client_secret"));
        var token = _provider.TokenRequest;
        Assert.Equal("authorization_code", token["grant_type"]);
        Assert.False(token.ContainsKey("client_secret"));
        Assert.Equal(pushed["code_challenge"], Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(token["code_verifier"]))));

        // Both assertions verify with the portal's published JWKS, name the portal and the provider, live at most 2 minutes, and differ.
        using var jwksClient = _portal.NewClient();
        var jwks = new JsonWebKeySet(await jwksClient.GetStringAsync(NationalIdentityKeys.JwksPath));
        var signingKeys = jwks.Keys.Where(k => k.Use == "sig").ToList();
        Assert.Single(signingKeys);
        var ids = new List<string>();
        foreach (var form in new[] { pushed, token })
        {
            Assert.Equal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", form["client_assertion_type"]);
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(form["client_assertion"], new TokenValidationParameters
            {
                ValidIssuer = PortalFactory.NationalIdentityClientId,
                ValidAudience = NationalIdentityProviderStub.Issuer,
                IssuerSigningKeys = signingKeys,
                ValidateLifetime = false,
            });
            Assert.True(result.IsValid, result.Exception?.Message);
            var assertion = (JsonWebToken)result.SecurityToken;
            Assert.Equal(PortalFactory.NationalIdentityClientId, assertion.Subject);
            Assert.Equal("ES256", assertion.Alg);
            Assert.InRange(assertion.ValidTo - assertion.IssuedAt, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
            ids.Add(assertion.Id);
        }

        Assert.Equal(2, ids.Distinct().Count());

        // The token request carries a DPoP proof for itself, by the key the pushed request named (dpop_jkt).
        var (problem, thumbprint, _) = await Dpop.CheckAsync(_provider.TokenRequestDpop, "POST", new Uri(NationalIdentityProviderStub.Issuer + "/token"),
            _portal.Clock.GetUtcNow(), TimeSpan.FromMinutes(1), pushed["dpop_jkt"]);
        Assert.Null(problem);
        Assert.Equal(pushed["dpop_jkt"], thumbprint);
    }

    public static TheoryData<string> Refusals =>
    [
        "wrong issuer", "wrong audience", "expired", "not yet valid", "bad nonce", "no nonce", "sub with a wrong check letter",
        "sub without an NRIC", "signed with a key the provider does not publish", "not encrypted", "encrypted to another key",
        "altered after encryption",
    ];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task An_id_token_the_profile_does_not_allow_is_refused_audited_and_signs_no_one_in(string refusal)
    {
        var sub = await PatientSubAsync();
        var otherKey = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "stub-signing" };
        Func<string, string> idToken = refusal switch
        {
            "wrong issuer" => n => Encrypted(_provider.Signed(n, Now, sub, c => c["iss"] = "https://id.elsewhere.example")),
            "wrong audience" => n => Encrypted(_provider.Signed(n, Now, sub, c => c["aud"] = "another-client")),
            "expired" => n => Encrypted(_provider.Signed(n, Now - TimeSpan.FromMinutes(30), sub)),
            "not yet valid" => n => Encrypted(_provider.Signed(n, Now, sub, c => c["nbf"] = (Now + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds())),
            "bad nonce" => n => Encrypted(_provider.Signed(n, Now, sub, c => c["nonce"] = "not-the-nonce-the-portal-sent")),
            "no nonce" => n => Encrypted(_provider.Signed(n, Now, sub, c => c.Remove("nonce"))),
            "sub with a wrong check letter" => n => Encrypted(_provider.Signed(n, Now, $"s={sub[2..10]}{(sub[10] == 'A' ? 'B' : 'A')}{sub[11..]}")),
            "sub without an NRIC" => n => Encrypted(_provider.Signed(n, Now, "2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f")),
            "signed with a key the provider does not publish" => n => Encrypted(_provider.Signed(n, Now, sub, key: otherKey)),
            "not encrypted" => n => _provider.Signed(n, Now, sub),
            "encrypted to another key" => n => Jwe.Encrypt(_provider.Signed(n, Now, sub), new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256))),
            "altered after encryption" => n => Tamper(Encrypted(_provider.Signed(n, Now, sub))),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal)),
        };
        await AssertRefusedAsync(idToken);
    }

    [Fact]
    public async Task An_id_token_replayed_into_a_later_sign_in_is_refused()
    {
        var sub = await PatientSubAsync();
        string? first = null;
        var (client, callback) = await SignInWithAsync(nonce => first = Encrypted(_provider.Signed(nonce, Now, sub)));
        Assert.Equal(NationalIdentityExtensions.CompletePath, callback.Headers.Location!.OriginalString.Split('?')[0]);
        client.Dispose();
        callback.Dispose();

        // Someone who captured the first answer offers it again: it is bound to the first flow's nonce.
        await AssertRefusedAsync(_ => first!);
    }

    [Fact]
    public async Task The_same_callback_used_twice_is_refused_the_second_time()
    {
        var sub = await PatientSubAsync();
        var (client, callback) = await SignInWithAsync(nonce => Encrypted(_provider.Signed(nonce, Now, sub)));
        Assert.Equal(NationalIdentityExtensions.CompletePath, callback.Headers.Location!.OriginalString.Split('?')[0]);

        using var again = await client.GetAsync($"{NationalIdentityExtensions.CallbackPath}?code=stub-code&state={Uri.EscapeDataString(_provider.Pushed["state"])}");

        Assert.Equal($"/Account/Login?failed={NationalIdentityExtensions.FailedQuery}", again.Headers.Location?.OriginalString);
        client.Dispose();
        callback.Dispose();
    }

    private async Task AssertRefusedAsync(Func<string, string> idToken)
    {
        await using var db = _portal.CreateDbContext();
        var accounts = await db.Users.CountAsync();
        var before = await db.AuditEvents.MaxAsync(e => e.Sequence);

        var (client, callback) = await SignInWithAsync(idToken);

        Assert.Equal($"/Account/Login?failed={NationalIdentityExtensions.FailedQuery}", callback.Headers.Location?.OriginalString);
        var page = await client.GetStringAsync(callback.Headers.Location);
        Assert.Contains("The Singpass sign-in did not complete", page, StringComparison.Ordinal);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Sequence > before && e.EventType == AuditEventTypes.SignInFailed && e.Details!.Contains("national-identity")));
        Assert.Equal(accounts, await db.Users.CountAsync());
        using var area = await client.GetAsync("/patient");
        Assert.StartsWith("/Account/Login", area.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        client.Dispose();
        callback.Dispose();
    }

    /// <summary>Flips one bit of the ciphertext.</summary>
    private static string Tamper(string jwe)
    {
        var parts = jwe.Split('.');
        var ciphertext = Base64UrlEncoder.DecodeBytes(parts[3]);
        ciphertext[0] ^= 1;
        parts[3] = Base64UrlEncoder.Encode(ciphertext);
        return string.Join('.', parts);
    }
}

/// <summary>One portal whose national identity provider is the test's stub, for every refusal case (none changes data but the trail).</summary>
public sealed class StubProviderPortal : IDisposable
{
    public StubProviderPortal()
    {
        Portal.Settings["Nehr:NationalIdentity:Issuer"] = NationalIdentityProviderStub.Issuer;
        Portal.IdentityProviderBackchannel = Provider;
        // The handler warns of a callback without its correlation cookie: one test sends the same callback twice on purpose.
        Portal.ExpectsFrameworkWarnings = true;
    }

    public PortalFactory Portal { get; } = new();

    internal NationalIdentityProviderStub Provider { get; } = new();

    public void Dispose()
    {
        Portal.Dispose();
        Provider.Dispose();
    }
}

/// <summary>The development provider refuses what the real one would: it is the portal's test partner, not a rubber stamp.</summary>
public sealed class DevelopmentIdentityProviderTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private readonly PortalFactory _portal = portal;

    private string Issuer => new Uri(PortalFactory.BaseAddress, "dev-idp").AbsoluteUri;

    private NationalIdentityKeys Keys => _portal.Services.GetRequiredService<NationalIdentityKeys>();

    private string Assertion(DateTimeOffset issuedAt, DateTimeOffset expires, string? jti = null) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = PortalFactory.NationalIdentityClientId,
            ["sub"] = PortalFactory.NationalIdentityClientId,
            ["aud"] = Issuer,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
        }), new SigningCredentials(Keys.Signing, SecurityAlgorithms.EcdsaSha256));

    private Dictionary<string, string> Push(string assertion) => new()
    {
        ["client_id"] = PortalFactory.NationalIdentityClientId,
        ["client_assertion_type"] = DevelopmentIdentityProvider.AssertionType,
        ["client_assertion"] = assertion,
        ["response_type"] = "code",
        ["scope"] = "openid",
        ["redirect_uri"] = new Uri(PortalFactory.BaseAddress, NationalIdentityExtensions.CallbackPath).AbsoluteUri,
        ["state"] = "state-1",
        ["nonce"] = "nonce-1",
        ["code_challenge"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier))),
        ["code_challenge_method"] = "S256",
    };

    private const string Verifier = "a-code-verifier-of-at-least-forty-three-characters-0123456789";

    private static async Task<(HttpStatusCode Status, string Error, string Description)> PostAsync(
        HttpClient client, string path, Dictionary<string, string> form, string? dpopProof = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (dpopProof is not null)
        {
            request.Headers.Add(Dpop.Header, dpopProof);
        }

        using var response = await client.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode,
            json.RootElement.TryGetProperty("error", out var error) ? error.GetString()! : string.Empty,
            json.RootElement.TryGetProperty("error_description", out var description) ? description.GetString()! : string.Empty);
    }

    [Fact]
    public async Task A_client_assertion_older_than_two_minutes_is_refused_even_when_not_yet_expired()
    {
        using var client = _portal.NewClient();
        var now = _portal.Clock.GetUtcNow();

        var (status, error, description) = await PostAsync(client, "/dev-idp/par", Push(Assertion(now - TimeSpan.FromMinutes(3), now + TimeSpan.FromSeconds(30))));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", error);
        Assert.Contains("older than 2 minutes", description, StringComparison.Ordinal);
        var (fresh, _, _) = await PostAsync(client, "/dev-idp/par", Push(Assertion(now, now + TimeSpan.FromSeconds(60))));
        Assert.Equal(HttpStatusCode.Created, fresh);
    }

    [Fact]
    public async Task A_client_assertion_is_used_once()
    {
        using var client = _portal.NewClient();
        var now = _portal.Clock.GetUtcNow();
        var assertion = Assertion(now, now + TimeSpan.FromSeconds(60));

        var (first, _, _) = await PostAsync(client, "/dev-idp/par", Push(assertion));
        var (second, error, description) = await PostAsync(client, "/dev-idp/par", Push(assertion));

        Assert.Equal(HttpStatusCode.Created, first);
        Assert.Equal(HttpStatusCode.Unauthorized, second);
        Assert.Equal("invalid_client", error);
        Assert.Contains("used before", description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("client_secret", "invalid_client")]
    [InlineData("no assertion", "invalid_client")]
    [InlineData("no pkce", "invalid_request")]
    [InlineData("plain pkce", "invalid_request")]
    [InlineData("foreign redirect", "invalid_request")]
    [InlineData("no nonce", "invalid_request")]
    [InlineData("implicit", "unsupported_response_type")]
    public async Task A_pushed_request_outside_the_profile_is_refused(string fault, string expected)
    {
        using var client = _portal.NewClient();
        var now = _portal.Clock.GetUtcNow();
        var form = Push(Assertion(now, now + TimeSpan.FromSeconds(60)));
        switch (fault)
        {
            case "client_secret": form["client_secret"] = "a-shared-secret"; break;
            case "no assertion": form.Remove("client_assertion"); break;
            case "no pkce": form.Remove("code_challenge"); form.Remove("code_challenge_method"); break;
            case "plain pkce": form["code_challenge_method"] = "plain"; break;
            case "foreign redirect": form["redirect_uri"] = "https://attacker.example/signin-nationalid"; break;
            case "no nonce": form.Remove("nonce"); break;
            case "implicit": form["response_type"] = "id_token"; break;
        }

        var (status, error, _) = await PostAsync(client, "/dev-idp/par", form);

        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{status}");
        Assert.Equal(expected, error);
    }

    [Fact]
    public async Task The_authorization_endpoint_takes_only_pushed_requests()
    {
        using var client = _portal.NewClient();

        using var direct = await client.GetAsync($"/dev-idp/authorize?client_id={PortalFactory.NationalIdentityClientId}&response_type=code&redirect_uri=https%3A%2F%2Flocalhost%2Fsignin-nationalid&scope=openid");

        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        Assert.Contains("pushed first", await direct.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A code for the demo patient, from a pushed request that names <paramref name="dpop"/>'s key (dpop_jkt) if given.</summary>
    private async Task<(HttpClient Client, Func<string, Dictionary<string, string>> Redeem)> CodeAsync(Dpop? dpop)
    {
        var client = _portal.NewClient();
        var now = _portal.Clock.GetUtcNow();
        var push = Push(Assertion(now, now + TimeSpan.FromSeconds(60)));
        if (dpop is not null)
        {
            push["dpop_jkt"] = dpop.Thumbprint;
        }

        using var pushed = await client.PostAsync("/dev-idp/par", new FormUrlEncodedContent(push));
        var requestUri = JsonDocument.Parse(await pushed.Content.ReadAsStringAsync()).RootElement.GetProperty("request_uri").GetString()!;
        using var chosen = await client.PostAsync("/dev-idp/authorize", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request_uri"] = requestUri,
            ["nric"] = await _portal.NricOfAsync(DemoAccounts.Patient),
        }));
        var code = QueryHelpers.ParseQuery(chosen.Headers.Location!.Query)["code"].ToString();
        return (client, verifier => new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = new Uri(PortalFactory.BaseAddress, NationalIdentityExtensions.CallbackPath).AbsoluteUri,
            ["code_verifier"] = verifier,
            ["client_assertion_type"] = DevelopmentIdentityProvider.AssertionType,
            ["client_assertion"] = Assertion(_portal.Clock.GetUtcNow(), _portal.Clock.GetUtcNow() + TimeSpan.FromSeconds(60)),
        });
    }

    private Uri TokenEndpoint => new(Issuer + "/token");

    [Fact]
    public async Task A_code_needs_the_matching_verifier_and_works_once()
    {
        var dpop = new Dpop();
        var (client, redeem) = await CodeAsync(dpop);
        using var owned = client;

        var (wrong, wrongError, _) = await PostAsync(client, "/dev-idp/token", redeem("another-verifier-of-at-least-forty-three-characters-000000"),
            dpop.Proof("POST", TokenEndpoint, _portal.Clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.BadRequest, wrong);
        Assert.Equal("invalid_grant", wrongError);

        // The failed attempt used the code up: a code is redeemed once, whatever the outcome.
        var (again, againError, _) = await PostAsync(client, "/dev-idp/token", redeem(Verifier), dpop.Proof("POST", TokenEndpoint, _portal.Clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.BadRequest, again);
        Assert.Equal("invalid_grant", againError);
    }

    [Theory]
    [InlineData("no proof")]
    [InlineData("another key than dpop_jkt")]
    [InlineData("another URL")]
    [InlineData("another method")]
    [InlineData("an hour old")]
    [InlineData("used before")]
    public async Task A_token_request_without_a_right_dpop_proof_is_refused_and_the_code_kept_for_its_holder(string fault)
    {
        var dpop = new Dpop();
        var (client, redeem) = await CodeAsync(dpop);
        using var owned = client;
        var now = _portal.Clock.GetUtcNow();
        var proof = fault switch
        {
            "no proof" => null,
            "another key than dpop_jkt" => new Dpop().Proof("POST", TokenEndpoint, now),
            "another URL" => dpop.Proof("POST", new Uri(Issuer + "/par"), now),
            "another method" => dpop.Proof("GET", TokenEndpoint, now),
            "an hour old" => dpop.Proof("POST", TokenEndpoint, now - TimeSpan.FromHours(1)),
            _ => dpop.Proof("POST", TokenEndpoint, now),
        };
        if (fault == "used before")
        {
            // Spent on a request refused for its verifier: the same proof again is a replay.
            var (first, _, _) = await PostAsync(client, "/dev-idp/token", redeem("another-verifier-of-at-least-forty-three-characters-000000"), proof);
            Assert.Equal(HttpStatusCode.BadRequest, first);
            (client, redeem) = await CodeAsync(dpop);
        }

        var (status, error, description) = await PostAsync(client, "/dev-idp/token", redeem(Verifier), proof);

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_dpop_proof"), (status, error));
        Assert.False(string.IsNullOrEmpty(description));
        if (fault != "used before")
        {
            // The holder of the key still redeems the code.
            var (ok, _, _) = await PostAsync(client, "/dev-idp/token", redeem(Verifier), dpop.Proof("POST", TokenEndpoint, _portal.Clock.GetUtcNow()));
            Assert.Equal(HttpStatusCode.OK, ok);
        }
    }
}
