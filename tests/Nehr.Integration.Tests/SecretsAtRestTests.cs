using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;

namespace Nehr.Integration.Tests;

/// <summary>
/// Secrets at rest (issue 17, finding 5): whoever reads the database reads neither the data-protection key ring (which
/// would forge sign-in cookies and system access tokens) nor the authenticator keys and recovery codes.
/// </summary>
public sealed class SecretsAtRestTests
{
    private static readonly XNamespace Ns = "http://schemas.asp.net/2015/03/dataProtection";

    [Fact]
    public async Task The_key_ring_authenticator_keys_and_recovery_codes_are_ciphertext_in_the_database()
    {
        using var portal = new PortalFactory();
        await DemoWorld.LoadAsync(portal);
        string[] codes;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var doctor = (await users.FindByEmailAsync(DemoAccounts.HospitalDoctor))!;
            codes = [.. (await users.GenerateNewTwoFactorRecoveryCodesAsync(doctor, 10))!];
            Assert.Equal(DemoAccounts.AuthenticatorKey, await users.GetAuthenticatorKeyAsync(doctor));
        }

        await using var db = portal.CreateDbContext();
        var ring = await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
        Assert.NotEmpty(ring);
        Assert.All(ring, xml =>
        {
            Assert.Empty(XElement.Parse(xml).Descendants(Ns + "masterKey"));
            Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
        });
        var secrets = await db.UserTokens.Where(t => t.LoginProvider == NehrUserStore.InternalLoginProvider).Select(t => t.Value!).ToListAsync();
        Assert.NotEmpty(secrets);
        Assert.All(secrets, value =>
        {
            Assert.StartsWith(NehrUserStore.Marker, value, StringComparison.Ordinal);
            Assert.DoesNotContain(DemoAccounts.AuthenticatorKey, value, StringComparison.Ordinal);
            Assert.DoesNotContain(codes[0], value, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Secrets_stored_in_clear_before_are_protected_at_the_next_start_and_still_work()
    {
        using var portal = new PortalFactory();
        await DemoWorld.LoadAsync(portal);
        var sealedText = portal.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a session");

        // The database as the portal left it before: the key ring and an authenticator key in clear.
        var keys = portal.Services.GetRequiredService<KeyEncryptionKeys>();
        await using (var db = portal.CreateDbContext())
        {
            foreach (var row in await db.DataProtectionKeys.ToListAsync())
            {
                var xml = XElement.Parse(row.Xml!);
                foreach (var secret in xml.Descendants(Ns + "encryptedSecret").ToList())
                {
                    secret.ReplaceWith(AesGcmXmlDecryptor.Decrypt(secret.Element("encryptedKey")!, keys));
                }

                row.Xml = xml.ToString();
            }

            var doctorId = await db.Users.Where(u => u.Email == DemoAccounts.HospitalDoctor).Select(u => u.Id).SingleAsync();
            await db.UserTokens.Where(t => t.UserId == doctorId && t.Name == "AuthenticatorKey")
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Value, DemoAccounts.AuthenticatorKey));
            await db.SaveChangesAsync();
            Assert.Contains(await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync(), xml => xml.Contains("masterKey", StringComparison.Ordinal));

            Assert.True(await KeyRingEncryption.EncryptStoredKeysAsync(db, keys) > 0);
            Assert.Equal(1, await NehrUserStore.ProtectStoredSecretsAsync(db, portal.Services.GetRequiredService<IDataProtectionProvider>()));
            Assert.DoesNotContain(await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync(), xml => xml.Contains("masterKey", StringComparison.Ordinal));
        }

        // A second instance on that database reads the re-encrypted ring, and the protected authenticator key.
        using var second = new PortalFactory();
        second.ShareDatabaseWith(portal);
        _ = second.Server;
        Assert.Equal("a session", second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(sealedText));
        await using var scope = second.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Equal(DemoAccounts.AuthenticatorKey, await users.GetAuthenticatorKeyAsync((await users.FindByEmailAsync(DemoAccounts.HospitalDoctor))!));
    }

    [Fact]
    public async Task A_new_key_encryption_key_re_encrypts_the_ring_without_signing_anyone_out_and_the_old_alone_no_longer_reads_it()
    {
        var oldKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var newKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var before = new PortalFactory();
        before.Settings["Nehr:DataProtection:KeyEncryptionKey"] = oldKey;
        await DemoWorld.LoadAsync(before);
        var session = before.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a session");

        using var after = new PortalFactory();
        after.ShareDatabaseWith(before);
        after.Settings["Nehr:DataProtection:KeyEncryptionKey"] = newKey;
        after.Settings["Nehr:DataProtection:PreviousKeyEncryptionKeys:0"] = oldKey;
        _ = after.Server;

        Assert.Equal("a session", after.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(session));
        var newId = after.Services.GetRequiredService<KeyEncryptionKeys>().CurrentId;
        await using var db = after.CreateDbContext();
        Assert.All(await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync(), xml => Assert.Contains($"kek=\"{newId}\"", xml, StringComparison.Ordinal));
        var onlyOld = new KeyEncryptionKeys(Convert.FromBase64String(oldKey), []);
        var stored = XElement.Parse(await db.DataProtectionKeys.OrderBy(k => k.Id).Select(k => k.Xml!).FirstAsync());
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() =>
            AesGcmXmlDecryptor.Decrypt(stored.Descendants("encryptedKey").First(), onlyOld));
    }
}
