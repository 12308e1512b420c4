using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Audit;
using Nehr.Core.Data;

namespace Nehr.Core.Identity;

/// <summary>
/// A patient's sign-in with the national digital identity: the identity's NRIC/FIN is looked up in the NEHR's person
/// register. A known person signs in to their patient account, made on the first sign-in (no password: patients only
/// ever sign in with the national identity) together with its <c>patient.enrolled</c> event; an unknown one gets no
/// account, and the attempt is audited.
/// </summary>
public sealed class PatientEnrolment(Commands.Commands commands, IServiceScopeFactory scopes, SecurityEvents security)
{
    /// <summary>The sign-in method recorded for the session and in the audit trail.</summary>
    public const string Method = "national-identity";

    /// <summary>The account the person signs in to, made now if this is their first sign-in; or why there is none.</summary>
    public async Task<PatientSignIn> SignInAsync(AuditContext who, NationalIdentitySubject subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(who);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var context = scope.ServiceProvider.GetRequiredService<NehrDbContext>();
        var outcome = await commands.RunAsync(context, who, async command =>
        {
            var db = command.Db;
            var nric = subject.Nric;
            // A second sign-in at the same moment waits, then finds the account; a death recorded meanwhile is seen.
            await command.ClaimAsync(DataClaim.Identifier(nric.Value), cancellationToken);
            var person = await db.Patients.AsNoTracking()
                .Where(p => p.Nric == nric)
                .Select(p => new { p.Id, p.Name, p.IsDeceased })
                .SingleOrDefaultAsync(cancellationToken);
            if (person is null)
            {
                return PatientSignIn.NoRecord(nric.Masked);
            }

            if (person.IsDeceased)
            {
                return PatientSignIn.Refused(nric.Masked, "the register records this person as deceased",
                    "The population register records this person as deceased, so their NEHR record cannot be signed in to. If this is wrong, contact the NEHR helpdesk.");
            }

            var account = await db.Users.AsNoTracking().Where(u => u.PatientId == person.Id).Select(u => u.Id).SingleOrDefaultAsync(cancellationToken);
            if (account is not null)
            {
                return PatientSignIn.Known(account, enrolled: false);
            }

            // Through Identity's UserManager (its validators, normalisation and security stamp) on the context the
            // command commits: the account, its role and the event commit together or not at all. The user name is
            // the person's register id (unique, never shown); the e-mail is left empty until the patient gives one.
            var user = new ApplicationUser
            {
                UserName = string.Create(CultureInfo.InvariantCulture, $"patient:{person.Id}"),
                DisplayName = person.Name,
                PatientId = person.Id,
            };
            Succeeded(await users.CreateAsync(user));
            Succeeded(await users.AddToRoleAsync(user, Roles.Patient));
            await command.AuditAsync(new AuditEntry
            {
                EventType = AuditEventTypes.PatientEnrolled,
                CorrelationId = who.CorrelationId,
                ActorUserId = user.Id,
                ActorRole = Roles.Patient,
                ClientAddress = who.ClientAddress,
                PatientId = person.Id,
                Details = $"method={Method}; identity={subject.Uuid:D}",
            }, cancellationToken);
            return PatientSignIn.Known(user.Id, enrolled: true);
        }, cancellationToken);

        if (outcome.AccountId is null)
        {
            await security.SignInFailedAsync(who, $"{Method}: {outcome.Why} ({outcome.MaskedNric})", cancellationToken);
        }

        return outcome;
    }

    private static void Succeeded(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("The patient account could not be made: " + string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}

/// <summary>
/// The outcome of a national-identity sign-in: the account to sign in to (<see cref="Enrolled"/> when it was made
/// now), or none, with the reason for the audit trail and the message for the person.
/// </summary>
public sealed record PatientSignIn(string? AccountId, bool Enrolled, string MaskedNric, string? Why, string? Message)
{
    public static PatientSignIn Known(string accountId, bool enrolled) => new(accountId, enrolled, string.Empty, null, null);

    public static PatientSignIn NoRecord(string maskedNric) => new(null, false, maskedNric, "no NEHR record", null);

    public static PatientSignIn Refused(string maskedNric, string why, string message) => new(null, false, maskedNric, why, message);

    public bool HasNoRecord => AccountId is null && Message is null;
}
