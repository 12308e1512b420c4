using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Data.Demo;
using Nehr.Portal.Hosting;

namespace Nehr.Integration.Tests;

/// <summary>
/// `rotate-keys` (issue 17): a new data-protection key joins the ring (the default once it has reached every instance),
/// and what the old one sealed (sign-in cookies, system access tokens) stays valid: nobody is signed out, no system
/// loses its token.
/// </summary>
public sealed class KeyRotationTests(FeedPortal shared) : IClassFixture<FeedPortal>
{
    [Fact]
    public async Task A_new_key_joins_the_ring_and_sessions_and_system_tokens_sealed_before_stay_valid()
    {
        var portal = shared.Portal;
        using var patient = await portal.SignedInClientAsync(DemoAccounts.Patient);
        var token = await shared.TokenAsync();
        var ring = portal.Services.GetRequiredService<IKeyRingProvider>();
        var before = ring.GetCurrentKeyRing().DefaultKeyId;

        var key = Operations.RotateKey(portal.Services.GetRequiredService<IKeyManager>(), portal.Clock.GetUtcNow());

        // Until the new key has had time to reach every instance, the old one stays the default; what it sealed works.
        Assert.NotEqual(before, key.KeyId);
        Assert.Contains(portal.Services.GetRequiredService<IKeyManager>().GetAllKeys(), k => k.KeyId == key.KeyId && !k.IsRevoked);
        Assert.Equal(HttpStatusCode.OK, (await patient.GetAsync("/patient")).StatusCode);
        var feed = await shared.PostAsync("""{"resourceType":"Bundle","type":"batch","entry":[]}""", token);
        Assert.NotEqual(HttpStatusCode.Unauthorized, feed.Status);

        // ASP.NET Core makes it the default once it has had time to reach every instance (its key propagation window,
        // two days, on the real clock); what the old key sealed stays readable after that, since it is not revoked.
        Assert.True(key.ActivationDate <= DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(before, ring.GetCurrentKeyRing().DefaultKeyId);
        using var fresh = await portal.SignedInClientAsync(DemoAccounts.RestrictedPatient);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/patient")).StatusCode);
    }
}
