using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Nehr.Core.Data;
using Nehr.Core.Records;

namespace Nehr.Portal.Hosting.NationalIdentity;

/// <summary>
/// A stand-in for the national digital identity provider, on the portal's own paths (<c>/dev-idp</c>), so that the
/// portal runs and is tested with no outside service. It speaks the profile the real one does: discovery, pushed
/// authorization requests only (RFC 9126), PKCE with S256, <c>private_key_jwt</c> client authentication (assertion
/// valid at most 2 minutes, used once), DPoP on the token request (bound to the key the pushed request names), ES256 ID
/// tokens with the <c>s=&lt;NRIC&gt;,u=&lt;uuid&gt;</c> subject, encrypted (ECDH-ES+A256KW) to the portal's encryption key. Its sign-in page lets one pick a demo person or type any NRIC/FIN.
/// Development and the test host only (<see cref="NationalIdentityExtensions"/> refuses anything else); its state is in
/// memory, for one instance.
/// </summary>
/// <remarks>
/// Written for the portal rather than made of OpenIddict's server: the portal's one OpenIddict server is the
/// contribution API's token endpoint (client credentials, degraded mode), and a development-only authorization-code
/// server grafted onto it would change the production token endpoint's configuration.
/// </remarks>
internal sealed class DevelopmentIdentityProvider(
    NationalIdentityKeys clientKeys, NationalIdentityIssuer issuer, IOptions<NationalIdentityOptions> options, TimeProvider clock)
{
    public const string BasePath = "/dev-idp";
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    public const string RequestUriPrefix = "urn:ietf:params:oauth:request_uri:";

    /// <summary>The profile's limit on a client assertion's lifetime.</summary>
    public static readonly TimeSpan MaxAssertionAge = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan RequestLifetime = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan IdTokenLifetime = TimeSpan.FromMinutes(10);

    private readonly ECDsaSecurityKey _signing = NewSigningKey();
    private readonly ConcurrentDictionary<string, Pushed> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Issued> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _assertionIds = new(StringComparer.Ordinal);

    private string ClientId => options.Value.ClientId;

    public static void Map(WebApplication app)
    {
        var group = app.MapGroup(BasePath).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        group.MapGet("/.well-known/openid-configuration", (DevelopmentIdentityProvider provider) => provider.Discovery());
        group.MapGet("/jwks", (DevelopmentIdentityProvider provider) => provider.Jwks());
        group.MapPost("/par", (HttpContext context, DevelopmentIdentityProvider provider) => provider.PushAsync(context));
        group.MapGet("/authorize", (HttpContext context, DevelopmentIdentityProvider provider, NehrDbContext db, Words words) => provider.AuthorizePageAsync(context, db, words));
        group.MapPost("/authorize", (HttpContext context, DevelopmentIdentityProvider provider, NehrDbContext db, Words words) => provider.AuthorizeAsync(context, db, words));
        group.MapPost("/token", (HttpContext context, DevelopmentIdentityProvider provider) => provider.TokenAsync(context));
    }

    private IResult Discovery()
    {
        var at = issuer.Value;
        return Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = at,
            ["authorization_endpoint"] = at + "/authorize",
            ["pushed_authorization_request_endpoint"] = at + "/par",
            ["require_pushed_authorization_requests"] = true,
            ["token_endpoint"] = at + "/token",
            ["jwks_uri"] = at + "/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query" },
            ["grant_types_supported"] = new[] { "authorization_code" },
            ["subject_types_supported"] = new[] { "public" },
            ["scopes_supported"] = new[] { "openid" },
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.EcdsaSha256 },
            ["id_token_encryption_alg_values_supported"] = new[] { "ECDH-ES+A256KW" },
            ["id_token_encryption_enc_values_supported"] = new[] { "A256CBC-HS512" },
            ["token_endpoint_auth_methods_supported"] = new[] { "private_key_jwt" },
            ["token_endpoint_auth_signing_alg_values_supported"] = new[] { SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512 },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["authorization_response_iss_parameter_supported"] = true,
            ["dpop_signing_alg_values_supported"] = new[] { SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512 },
        });
    }

    private IResult Jwks()
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(NationalIdentityKeys.PublicOf(_signing));
        return Results.Json(new { keys = new[] { new { kty = "EC", crv = jwk.Crv, x = jwk.X, y = jwk.Y, use = "sig", alg = SecurityAlgorithms.EcdsaSha256, kid = _signing.KeyId } } });
    }

    /// <summary>The pushed authorization request (RFC 9126): the client authenticates; the request is kept behind a request_uri.</summary>
    private async Task<IResult> PushAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (await ClientProblemAsync(form) is { } clientProblem)
        {
            return Error("invalid_client", clientProblem, HttpStatusCode.Unauthorized);
        }

        if (form["response_type"] != "code")
        {
            return Error("unsupported_response_type", "Only response_type=code is supported.");
        }

        if (!form["scope"].ToString().Split(' ').Contains("openid"))
        {
            return Error("invalid_scope", "The scope must include openid.");
        }

        var redirectUri = form["redirect_uri"].ToString();
        if (!IsRegisteredRedirect(redirectUri))
        {
            return Error("invalid_request", $"redirect_uri is not registered for {ClientId}: it must be the portal's {NationalIdentityExtensions.CallbackPath} on the provider's host.");
        }

        if (form["code_challenge_method"] != "S256" || form["code_challenge"].ToString().Length < 43)
        {
            return Error("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256.");
        }

        if (string.IsNullOrEmpty(form["state"]) || string.IsNullOrEmpty(form["nonce"]))
        {
            return Error("invalid_request", "state and nonce are required.");
        }

        var now = clock.GetUtcNow();
        Sweep(now);
        var requestUri = RequestUriPrefix + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var dpopJkt = form["dpop_jkt"].ToString();
        _requests[requestUri] = new Pushed(redirectUri, form["state"]!, form["nonce"]!, form["code_challenge"]!, now + RequestLifetime,
            dpopJkt.Length > 0 ? dpopJkt : null);
        return Results.Json(new { request_uri = requestUri, expires_in = (int)RequestLifetime.TotalSeconds }, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>
    /// The stand-in's pages are read by the person signing in: in the language they chose on the portal (the same
    /// culture cookie, the same patient texts).
    /// </summary>
    internal sealed class Words(IStringLocalizer<PatientText> patientText, IStringLocalizer<Nehr.Core.PatientWords> coreText)
    {
        public IStringLocalizer<PatientText> L { get; } = patientText;

        public IStringLocalizer<Nehr.Core.PatientWords> Core { get; } = coreText;
    }

    private async Task<IResult> AuthorizePageAsync(HttpContext context, NehrDbContext db, Words words)
    {
        var L = words.L;
        var requestUri = context.Request.Query["request_uri"].ToString();
        if (context.Request.Query["client_id"] != ClientId || !_requests.TryGetValue(requestUri, out var pushed) || pushed.ExpiresAt < clock.GetUtcNow())
        {
            return Page(L["Sign-in request not valid"],
                Alert(L["This sign-in request is unknown or has expired: requests must be pushed first (PAR) and are valid for 90 seconds. Go back to the NEHR Portal and start again."]),
                StatusCodes.Status400BadRequest, L);
        }

        return await ChooserAsync(db, words, requestUri, error: null, typed: null);
    }

    private async Task<IResult> AuthorizeAsync(HttpContext context, NehrDbContext db, Words words)
    {
        var L = words.L;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var requestUri = form["request_uri"].ToString();
        if (!_requests.TryGetValue(requestUri, out var pushed) || pushed.ExpiresAt < clock.GetUtcNow())
        {
            return Page(L["Sign-in request not valid"],
                Alert(L["This sign-in request is unknown or has expired. Go back to the NEHR Portal and start again."]),
                StatusCodes.Status400BadRequest, L);
        }

        if (form["action"] == "cancel")
        {
            _requests.TryRemove(requestUri, out _);
            return Results.Redirect(Callback(pushed, ("error", "access_denied"), ("error_description", "The person cancelled the sign-in.")));
        }

        var typed = form["nric"].ToString();
        if (!Nric.TryParse(typed, out var nric, out var error))
        {
            return await ChooserAsync(db, words, requestUri, words.Core[error].Value, typed, StatusCodes.Status400BadRequest);
        }

        // The request is used once; the code is good for one token request.
        if (!_requests.TryRemove(requestUri, out _))
        {
            return Page(L["Sign-in request not valid"], Alert(L["This sign-in request was already used. Go back to the NEHR Portal and start again."]),
                StatusCodes.Status400BadRequest, L);
        }

        var now = clock.GetUtcNow();
        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        _codes[code] = new Issued(pushed, nric, now + CodeLifetime);
        return Results.Redirect(Callback(pushed, ("code", code)));
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (await ClientProblemAsync(form) is { } clientProblem)
        {
            return Error("invalid_client", clientProblem, HttpStatusCode.Unauthorized);
        }

        if (form["grant_type"] != "authorization_code")
        {
            return Error("unsupported_grant_type", "Only the authorization_code grant is supported.");
        }

        var now = clock.GetUtcNow();
        var code = form["code"].ToString();
        if (!_codes.TryGetValue(code, out var issued) || issued.ExpiresAt < now)
        {
            return Error("invalid_grant", "The authorization code is unknown, expired or already used.");
        }

        // Sender-constrained (FAPI 2.0): a DPoP proof for this request, by the key the pushed request named if it named one.
        var (dpopProblem, _, proofId) = await Dpop.CheckAsync(context.Request.Headers[Dpop.Header].ToString(), "POST",
            new Uri(issuer.Value + "/token"), now, TimeSpan.FromSeconds(60), issued.Request.DpopJkt);
        if (dpopProblem is not null || !_assertionIds.TryAdd("dpop:" + proofId, now + TimeSpan.FromMinutes(2)))
        {
            return Error("invalid_dpop_proof", dpopProblem is null ? "The DPoP proof was used before." : $"The DPoP proof was refused: {dpopProblem}.");
        }

        if (!_codes.TryRemove(code, out _))
        {
            return Error("invalid_grant", "The authorization code is unknown, expired or already used.");
        }

        if (form["redirect_uri"] != issued.Request.RedirectUri)
        {
            return Error("invalid_grant", "redirect_uri differs from the authorization request's.");
        }

        var verifier = form["code_verifier"].ToString();
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (verifier.Length < 43 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(challenge), Encoding.ASCII.GetBytes(issued.Request.CodeChallenge)))
        {
            return Error("invalid_grant", "The code_verifier does not match the code_challenge (PKCE).");
        }

        var subject = new Core.Identity.NationalIdentitySubject(issued.Nric, UuidOf(issued.Nric));
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer.Value,
            Audience = ClientId,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime, // the portal's clock, never the machine's (the handler would set it from the machine's)
            Expires = (now + IdTokenLifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = subject.ToString(),
                [JwtRegisteredClaimNames.Nonce] = issued.Request.Nonce,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                ["amr"] = new[] { "pwd", "otp-sms" },
            },
            SigningCredentials = new SigningCredentials(_signing, SecurityAlgorithms.EcdsaSha256),
        });
        if (clientKeys.Encryption is { } encryption)
        {
            idToken = Jwe.Encrypt(idToken, NationalIdentityKeys.PublicOf(encryption));
        }

        return Results.Json(new
        {
            access_token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)),
            token_type = "DPoP",
            expires_in = (int)IdTokenLifetime.TotalSeconds,
            id_token = idToken,
        });
    }

    /// <summary>What is wrong with the request's client authentication (private_key_jwt only), or null.</summary>
    private async Task<string?> ClientProblemAsync(IFormCollection form)
    {
        if (!string.IsNullOrEmpty(form["client_secret"]))
        {
            return "Only private_key_jwt client authentication is accepted.";
        }

        if (form["client_assertion_type"] != AssertionType || string.IsNullOrEmpty(form["client_assertion"]))
        {
            return $"A client assertion is required (client_assertion_type={AssertionType}).";
        }

        if (!string.IsNullOrEmpty(form["client_id"]) && form["client_id"] != ClientId)
        {
            return "Unknown client_id.";
        }

        var now = clock.GetUtcNow();
        var handler = new JsonWebTokenHandler();
        JsonWebToken assertion;
        try
        {
            assertion = handler.ReadJsonWebToken(form["client_assertion"]!);
        }
        catch (ArgumentException)
        {
            return "The client assertion is not a JWT.";
        }

        var result = await handler.ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = ClientId,
            ValidAudience = issuer.Value,
            IssuerSigningKey = NationalIdentityKeys.PublicOf(clientKeys.Signing),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512],
            RequireExpirationTime = true,
            LifetimeValidator = (notBefore, expires, _, _) => (notBefore is null || notBefore <= now.UtcDateTime.AddSeconds(5)) && expires > now.UtcDateTime,
        });
        if (!result.IsValid)
        {
            return $"The client assertion is not valid ({result.Exception?.GetType().Name ?? "refused"}): it must be signed with a key of the client's JWKS, with iss = sub = client_id and aud = {issuer.Value}.";
        }

        if (assertion.Subject != ClientId)
        {
            return "The client assertion's sub must be the client_id.";
        }

        if (!assertion.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat))
        {
            return "The client assertion has no iat.";
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(iat);
        if (now - issuedAt > MaxAssertionAge || assertion.ValidTo - issuedAt.UtcDateTime > MaxAssertionAge)
        {
            return "The client assertion is older than 2 minutes, or valid for longer: it must be made for each request.";
        }

        if (string.IsNullOrEmpty(assertion.Id) || !_assertionIds.TryAdd(assertion.Id, now + MaxAssertionAge))
        {
            return "The client assertion has no jti, or was used before.";
        }

        return null;
    }

    private bool IsRegisteredRedirect(string redirectUri) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri)
        && Uri.TryCreate(issuer.Value, UriKind.Absolute, out var at)
        && uri.GetLeftPart(UriPartial.Authority) == at.GetLeftPart(UriPartial.Authority)
        && uri.AbsolutePath == NationalIdentityExtensions.CallbackPath
        && string.IsNullOrEmpty(uri.Query);

    private string Callback(Pushed request, params (string Name, string Value)[] parameters) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(request.RedirectUri,
            parameters.Append(("state", request.State)).Append(("iss", issuer.Value)).Select(p => new KeyValuePair<string, string?>(p.Item1, p.Item2)));

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, value) in _requests.Where(r => r.Value.ExpiresAt < now))
        {
            _requests.TryRemove(new KeyValuePair<string, Pushed>(key, value));
        }

        foreach (var (key, value) in _codes.Where(c => c.Value.ExpiresAt < now))
        {
            _codes.TryRemove(new KeyValuePair<string, Issued>(key, value));
        }

        foreach (var (key, value) in _assertionIds.Where(a => a.Value < now))
        {
            _assertionIds.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, value));
        }
    }

    /// <summary>The stand-in's identity UUID of a person: the same for the same NRIC/FIN, as the real provider's is.</summary>
    internal static Guid UuidOf(Nric nric)
    {
        var bytes = SHA256.HashData(Encoding.ASCII.GetBytes("nehr-dev-idp:" + nric.Value))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (custom), RFC 9562
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private static ECDsaSecurityKey NewSigningKey() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "dev-idp-" + Guid.NewGuid().ToString("N")[..12] };

    private static IResult Error(string error, string description, HttpStatusCode status = HttpStatusCode.BadRequest) =>
        Results.Json(new { error, error_description = description }, statusCode: (int)status);

    /// <summary>The sign-in page: the demo people with an NEHR record, and a field for any NRIC/FIN.</summary>
    private static async Task<IResult> ChooserAsync(NehrDbContext db, Words words, string requestUri, string? error, string? typed, int status = StatusCodes.Status200OK)
    {
        var L = words.L;
        var people = await db.Patients.AsNoTracking()
            .OrderBy(p => p.Id)
            .Take(12)
            .Select(p => new { p.Nric, p.Name, p.DateOfBirth, HasAccount = db.Users.Any(u => u.PatientId == p.Id) })
            .ToListAsync();
        var html = new StringBuilder();
        html.Append("<p>").Append(WebUtility.HtmlEncode(L["This stand-in for Singpass runs only in Development and the tests. Nobody's identity is checked: choose who to sign in as."])).Append("</p>");
        html.Append("<form method=\"post\" action=\"").Append(BasePath).Append("/authorize\">");
        html.Append("<input type=\"hidden\" name=\"request_uri\" value=\"").Append(WebUtility.HtmlEncode(requestUri)).Append("\">");
        if (people.Count > 0)
        {
            html.Append("<fieldset><legend>").Append(WebUtility.HtmlEncode(L["People in the NEHR's person register"])).Append("</legend><ul>");
            foreach (var person in people)
            {
                var born = Nehr.Core.LocalTime.Day(person.DateOfBirth);
                html.Append("<li><button type=\"submit\" name=\"nric\" value=\"").Append(person.Nric.Value).Append("\">")
                    .Append(WebUtility.HtmlEncode(person.HasAccount
                        ? L["{0} ({1}, born {2}), has a portal account", person.Name, person.Nric.Value, born]
                        : L["{0} ({1}, born {2})", person.Name, person.Nric.Value, born]))
                    .Append("</button></li>");
            }

            html.Append("</ul></fieldset>");
        }

        html.Append("</form>");
        html.Append("<form method=\"post\" action=\"").Append(BasePath).Append("/authorize\">");
        html.Append("<input type=\"hidden\" name=\"request_uri\" value=\"").Append(WebUtility.HtmlEncode(requestUri)).Append("\">");
        html.Append("<label for=\"nric\">").Append(WebUtility.HtmlEncode(L["Or type any NRIC/FIN"])).Append("</label>");
        html.Append("<input id=\"nric\" name=\"nric\" autocomplete=\"off\" value=\"").Append(WebUtility.HtmlEncode(typed ?? string.Empty)).Append('"')
            .Append(error is null ? string.Empty : " aria-invalid=\"true\" aria-describedby=\"nric-error\"").Append('>');
        if (error is not null)
        {
            html.Append("<p id=\"nric-error\" role=\"alert\" class=\"error\">").Append(WebUtility.HtmlEncode(error)).Append("</p>");
        }

        html.Append("<button type=\"submit\">").Append(WebUtility.HtmlEncode(L["Sign in with this NRIC/FIN"])).Append("</button>");
        html.Append("<button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>").Append(WebUtility.HtmlEncode(L["Cancel and go back"])).Append("</button>");
        html.Append("</form>");
        return Page(L["Sign in with Singpass (development stand-in)"], html.ToString(), status, L);
    }

    private static string Alert(string text) => $"<p role=\"alert\">{WebUtility.HtmlEncode(text)}</p>";

    private static IResult Page(string title, string body, int status, IStringLocalizer<PatientText> L) => Results.Content(
        $"<!DOCTYPE html><html lang=\"{PortalLanguages.HtmlLang(System.Globalization.CultureInfo.CurrentUICulture.Name)}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + $"<title>{WebUtility.HtmlEncode(title)}</title><style>"
        + "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}h1{font-size:1.5rem}"
        + "header{border-bottom:4px solid #b3001b;margin-bottom:1rem}fieldset{border:1px solid #767676;margin:1rem 0}ul{list-style:none;padding:0}"
        + "li{margin:.4rem 0}button{font:inherit;padding:.5rem .8rem;margin:.2rem .4rem .2rem 0;cursor:pointer}li button{width:100%;text-align:left}"
        + "label{display:block;margin-top:1rem;font-weight:600}input{font:inherit;padding:.4rem;margin:.3rem 0;width:12rem}"
        + ".error{color:#b3001b;font-weight:600}:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}"
        + $"</style></head><body><header><p>{WebUtility.HtmlEncode(L["Development identity provider"])}</p></header><main><h1>{WebUtility.HtmlEncode(title)}</h1>{body}</main></body></html>",
        "text/html; charset=utf-8", Encoding.UTF8, status);

    private sealed record Pushed(string RedirectUri, string State, string Nonce, string CodeChallenge, DateTimeOffset ExpiresAt, string? DpopJkt);

    private sealed record Issued(Pushed Request, Nric Nric, DateTimeOffset ExpiresAt);
}
