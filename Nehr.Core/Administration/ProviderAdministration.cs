using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nehr.Core.Audit;
using Nehr.Core.Commands;
using Nehr.Core.Data;
using Nehr.Core.Identity;
using Nehr.Core.Records;

namespace Nehr.Core.Administration;

/// <summary>A member of the provider's staff as their administrator sees them.</summary>
public sealed record StaffMember(
    int PersonnelId, string Name, string? Email, string? PortalRole, ProfessionalRole Role, bool InvolvedInCare, bool IsActive,
    bool NehrAccessSuspended)
{
    /// <summary>The administrator who asked: their own role and account are changed by another administrator, never by themselves.</summary>
    public bool IsYou { get; init; }

    /// <summary>The person's own NRIC or FIN, when their administrator recorded it.</summary>
    public string? Nric { get; init; }
}

/// <summary>What a provider administrator fills in to add a member of staff.</summary>
/// <param name="Nric">The person's own NRIC or FIN, optional: with it MOH's alerts find them opening their own record or that of someone they represent.</param>
public sealed record NewStaffMember(string? Name, string? Email, ProfessionalRole? Role, bool InvolvedInCare, string? PortalRole, string? Nric = null);

/// <summary>The created account: its temporary password is shown once and never stored in clear.</summary>
public sealed record CreatedAccount(int PersonnelId, string Email, string TemporaryPassword);

/// <summary>A care registration as the provider administrator sees it.</summary>
public sealed record RegistrationRow(long Id, int PatientId, string Nric, string PatientName, DateTime RegisteredAtUtc)
{
    public RegistrationSource Source { get; init; }

    /// <summary>When it lapses; null while an encounter's episode is under way (or for an old registration without an end date).</summary>
    public DateTime? ExpiresAtUtc { get; init; }

    /// <summary>False while the person was enrolled by a provider's feed and the population register has not confirmed them.</summary>
    public bool DemographicsConfirmed { get; init; } = true;

    /// <summary>The population register records the person as deceased (on <see cref="DateOfDeath"/> when it gave the date).</summary>
    public bool IsDeceased { get; init; }

    public DateOnly? DateOfDeath { get; init; }
}

public sealed record RegistrationPage(IReadOnlyList<RegistrationRow> Rows, int Page, int PageSize, int Total)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// What a provider administrator does, always for their own provider only (it comes from their account, never from
/// a parameter): keep personnel current, create accounts, register patients. Every change is audited with it.
/// </summary>
public sealed class ProviderAdministration(
    Commands.Commands commands, TimeProvider clock, IServiceScopeFactory scopes, IOptionsMonitor<RecertificationOptions> recertification)
{
    public const int RegistrationPageSize = 25;

    /// <summary>
    /// The longest a registration by an administrator may run, in years: its last day is at most a year from the day
    /// it starts (a patient still in care is registered again when it ends).
    /// </summary>
    public const int MaxRegistrationYears = 1;

    /// <summary>What an administrator is told who registers a patient without a last day.</summary>
    public const string EndDateRequired = "Choose the last day of the registration: a registration by an administrator always ends, at most a year from today.";

    /// <summary>Portal roles a provider administrator may give: the clinician area or provider administration.</summary>
    public static IReadOnlyList<string> AssignablePortalRoles { get; } = [Roles.Clinician, Roles.ProviderAdmin];

    public Task<IReadOnlyList<StaffMember>> PersonnelAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<StaffMember>>(who, "personnel.list", Admin, async command =>
    {
        var (db, actor) = (command.Db, command.Actor);
        var people = await db.Personnel.AsNoTracking().Where(p => p.ProviderId == actor.ProviderId).ToListAsync(cancellationToken);
        var ids = people.Select(p => (int?)p.Id).ToList();
        var accounts = await db.Users.AsNoTracking().Where(u => ids.Contains(u.PersonnelId))
            .Select(u => new
            {
                u.PersonnelId,
                u.Email,
                Role = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).FirstOrDefault(),
            })
            .ToDictionaryAsync(u => u.PersonnelId!.Value, cancellationToken);
        return people
            .OrderByDescending(p => p.IsActive).ThenBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .Select(p => new StaffMember(
                p.Id, p.Name, accounts.GetValueOrDefault(p.Id)?.Email, accounts.GetValueOrDefault(p.Id)?.Role,
                p.Role, p.InvolvedInCare, p.IsActive, p.NehrAccessSuspended)
            {
                IsYou = p.Id == actor.Person?.Id,
                Nric = p.Nric?.Value,
            })
            .ToList();
    }, cancellationToken);

    /// <summary>Adds a member of staff with a portal account; every field is checked before anything is written.</summary>
    public async Task<CreatedAccount> CreateAccountAsync(AuditContext who, NewStaffMember input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var name = (input.Name ?? string.Empty).Trim();
        if (name.Length is 0 or > Personnel.MaxNameLength)
        {
            throw new DomainException($"Enter the person's name (1 to {Personnel.MaxNameLength} characters).");
        }

        var email = (input.Email ?? string.Empty).Trim();
        if (!IsEmail(email))
        {
            throw new DomainException("Enter a valid e-mail address, such as name@provider.sg.");
        }

        if (input.Role is not { } role || !Enum.IsDefined(role))
        {
            throw new DomainException("Choose the person's professional role.");
        }

        if (input.InvolvedInCare && !ProfessionalRoles.IsCareRole(role))
        {
            throw new DomainException($"{ProfessionalRoles.Display(role)} is not a role directly involved in patient care.");
        }

        if (input.PortalRole is not { } portalRole || !AssignablePortalRoles.Contains(portalRole))
        {
            throw new DomainException("Choose what the account is for: the clinician area or provider administration.");
        }

        var nric = OptionalNric(input.Nric);

        // Through Identity's UserManager (its user and password validators, its security stamp), on the context its
        // store writes with, which the pipeline runs the command on: the account, the person and the event commit together.
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var context = scope.ServiceProvider.GetRequiredService<NehrDbContext>();
        return await commands.RunAsync(context, who, "account.create", Admin, async command =>
        {
            var db = command.Db;
            var normalized = users.NormalizeEmail(email);
            // One account per address, made once however many ask at the same moment; the provider's roster changes.
            await command.ClaimAsync([DataClaim.Named($"account:{normalized}"), DataClaim.Roster(command.Actor.ProviderId)], cancellationToken);
            if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized || u.NormalizedUserName == normalized, cancellationToken))
            {
                throw new DomainException("An account with this e-mail address already exists.");
            }

            var person = new Personnel(command.Actor.ProviderId, name, role, input.InvolvedInCare);
            person.IdentifyAs(nric);
            db.Personnel.Add(person);
            await command.SaveAsync(cancellationToken);

            var password = TemporaryPassword();
            var user = new ApplicationUser
            {
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                DisplayName = name,
                PersonnelId = person.Id,
                MustChangePassword = true,
            };
            Succeeded(await users.CreateAsync(user, password));
            Succeeded(await users.AddToRoleAsync(user, portalRole));
            await command.AuditAsync(AuditEventTypes.AccountCreated, string.Create(CultureInfo.InvariantCulture,
                $"personnel={person.Id}; account={email}; portal-role={portalRole}; role={role}; in-care={input.InvolvedInCare}; nric={nric?.Masked ?? "none"}"), cancellationToken: cancellationToken);
            return new CreatedAccount(person.Id, email, password);
        }, cancellationToken);
    }

    /// <summary>Identity refused the account (its validators): nothing is written, and the administrator is told why.</summary>
    private static void Succeeded(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new DomainException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>
    /// Changes a person's professional role and care involvement; their next action is decided on it. An administrator's
    /// own role is changed by another administrator (refused, audited); saving what is already recorded is refused too.
    /// </summary>
    public async Task ChangeRoleAsync(AuditContext who, int personnelId, ProfessionalRole? role, bool involvedInCare, CancellationToken cancellationToken = default)
    {
        if (role is not { } newRole || !Enum.IsDefined(newRole))
        {
            throw new DomainException("Choose the person's professional role.");
        }

        await commands.RunAsync(who, "personnel.change-role", Admin, async command =>
        {
            await command.ClaimAsync(DataClaim.Staff(personnelId), cancellationToken);
            var person = await OwnPersonAsync(command, personnelId, cancellationToken);
            RefuseOwn(command, person, OwnRoleRefusal);
            if (!person.IsActive)
            {
                throw new DomainException("This person has left: their role can no longer be changed.");
            }

            if (person.Role == newRole && person.InvolvedInCare == involvedInCare)
            {
                throw new DomainException($"{person.Name} is already {ProfessionalRoles.Display(newRole)}, {CareText(involvedInCare)}: there is nothing to change.");
            }

            var before = $"{person.Role}/{CareText(person.InvolvedInCare)}";
            person.ChangeRole(newRole, involvedInCare);
            await EndSessionsAsync(command.Db, person.Id, lockOut: false, cancellationToken);
            await command.AuditAsync(AuditEventTypes.StaffRoleChanged, string.Create(CultureInfo.InvariantCulture,
                $"personnel={person.Id}; from={before}; to={newRole}/{CareText(involvedInCare)}"), cancellationToken: cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Records, corrects or (with an empty value) removes a member of staff's own NRIC or FIN, by which MOH's alerts find
    /// them opening their own record or that of someone they represent. Not one's own: an administrator could otherwise
    /// take theirs away. The NRIC itself is not written into the audit trail; whether it was recorded, changed or removed is.
    /// </summary>
    public async Task SetNricAsync(AuditContext who, int personnelId, string? nricText, CancellationToken cancellationToken = default)
    {
        var nric = OptionalNric(nricText);
        await commands.RunAsync(who, "personnel.set-nric", Admin, async command =>
        {
            await command.ClaimAsync(DataClaim.Staff(personnelId), cancellationToken);
            var person = await OwnPersonAsync(command, personnelId, cancellationToken);
            RefuseOwn(command, person, "Your own NRIC is recorded by another administrator of your provider.");
            if (!person.IsActive)
            {
                throw new DomainException("This person has left: their record can no longer be changed.");
            }

            if (person.Nric == nric)
            {
                throw new DomainException(nric is null
                    ? $"No NRIC or FIN is recorded for {person.Name}: there is nothing to remove."
                    : $"This is already {person.Name}'s NRIC or FIN: there is nothing to change.");
            }

            var change = person.Nric is null ? "recorded" : nric is null ? "removed" : "changed";
            person.IdentifyAs(nric);
            await command.AuditAsync(AuditEventTypes.StaffNricSet, string.Create(CultureInfo.InvariantCulture,
                $"personnel={person.Id}; nric={change}"), cancellationToken: cancellationToken);
        }, cancellationToken);
    }

    /// <summary>A staff member's own NRIC or FIN as typed: none when empty, refused in words when invalid.</summary>
    private static Nric? OptionalNric(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : Nric.TryParse(text, out var nric, out var error) ? nric
        : throw new DomainException($"The NRIC or FIN: {error}");

    /// <summary>Where the administrator's own provider stands with recertification: last attested, due, and when access ends.</summary>
    public Task<ProviderRecertification> RecertificationAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsync(who, "recertification.status", Admin, async command =>
        {
            var provider = await command.Db.Providers.AsNoTracking().SingleAsync(p => p.Id == command.Actor.ProviderId, cancellationToken);
            var options = recertification.CurrentValue;
            return new ProviderRecertification(provider.Name, RecertificationStatus.Of(provider, command.Now, options), options.IntervalDays, options.GraceDays);
        }, cancellationToken);

    /// <summary>
    /// The administrator attests the whole list of their provider's active personnel: each person's role and care
    /// involvement, confirmed as they are or changed. The changes, each one's audit event, the attestation and its event
    /// commit together; a list that is not exactly the provider's active staff now changes nothing. An overdue
    /// provider's staff get their NEHR access back on their next read (the gate decides from the attestation).
    /// </summary>
    public async Task RecertifyAsync(AuditContext who, IReadOnlyList<PersonnelAttestation>? attestations, CancellationToken cancellationToken = default)
    {
        if (attestations is null || attestations.Count == 0)
        {
            throw new DomainException("Confirm or change each person's role, then attest the whole list.");
        }

        if (attestations.Select(a => a.PersonnelId).Distinct().Count() != attestations.Count)
        {
            throw new DomainException("Each person is attested once: reload the page and attest the list again.");
        }

        await commands.RunAsync(who, "recertification.attest", Admin, async command =>
        {
            var (db, actor, now) = (command.Db, command.Actor, command.Now);
            var ids = attestations.Select(a => a.PersonnelId).ToList();
            // The attested list is the roster now, and stays it until this commits (accounts made and ended wait); each
            // listed person is changed under their claim. Two administrators recertifying one provider at the same
            // moment each hold their own standing: the server ends one as a deadlock, and it runs again after the other.
            await command.ClaimAsync(DataClaim.Roster(actor.ProviderId), cancellationToken);
            await command.ClaimAsync(ids.Select(DataClaim.Staff), cancellationToken);
            var listed = await db.Personnel.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
            var foreign = listed.Values.Where(p => p.ProviderId != actor.ProviderId).Select(p => p.Id).Concat(ids.Where(i => !listed.ContainsKey(i))).ToList();
            if (foreign.Count > 0)
            {
                var id = foreign[0];
                throw command.Refuse(string.Create(CultureInfo.InvariantCulture, $"personnel={id} is not of provider {actor.ProviderId}"),
                    "This person is not on your provider's staff.");
            }

            var staff = await db.Personnel.Where(p => p.ProviderId == actor.ProviderId && p.IsActive).ToListAsync(cancellationToken);
            if (staff.FirstOrDefault(p => !listed.ContainsKey(p.Id)) is { } missing)
            {
                throw new DomainException($"{missing.Name} is not in the list you attest: reload the page, then attest the whole list.");
            }

            var changed = 0;
            foreach (var attestation in attestations)
            {
                var person = listed[attestation.PersonnelId];
                if (!person.IsActive)
                {
                    throw new DomainException($"{person.Name} has left: reload the page, then attest the whole list.");
                }

                if (attestation.Role is not { } role || !Enum.IsDefined(role))
                {
                    throw new DomainException($"Choose {person.Name}'s professional role.");
                }

                if (attestation.InvolvedInCare && !ProfessionalRoles.IsCareRole(role))
                {
                    throw new DomainException($"{person.Name}: {ProfessionalRoles.Display(role)} is not a role directly involved in patient care.");
                }

                if (person.Role == role && person.InvolvedInCare == attestation.InvolvedInCare)
                {
                    continue;
                }

                RefuseOwn(command, person, OwnRoleRefusal);
                var before = $"{person.Role}/{CareText(person.InvolvedInCare)}";
                person.ChangeRole(role, attestation.InvolvedInCare);
                await EndSessionsAsync(db, person.Id, lockOut: false, cancellationToken);
                await command.AuditAsync(AuditEventTypes.StaffRoleChanged, string.Create(CultureInfo.InvariantCulture,
                    $"personnel={person.Id}; from={before}; to={role}/{CareText(attestation.InvolvedInCare)}; by=recertification"), cancellationToken: cancellationToken);
                changed++;
            }

            var provider = await db.Providers.SingleAsync(p => p.Id == actor.ProviderId, cancellationToken);
            var was = RecertificationStatus.Of(provider, now, recertification.CurrentValue).State;
            provider.Recertify(actor.UserId, now);
            await command.AuditAsync(AuditEventTypes.ProviderRecertified, string.Create(CultureInfo.InvariantCulture,
                $"provider={provider.Id}; personnel={staff.Count}; changed={changed}; was={was}; access-restored={was == RecertificationState.Lapsed}"),
                cancellationToken: cancellationToken);
        }, cancellationToken);
    }

    /// <summary>What an administrator is told who tries to change their own role.</summary>
    public const string OwnRoleRefusal = "You cannot change your own role: another administrator of your provider must do it.";

    /// <summary>What an administrator is told who tries to deactivate themselves.</summary>
    public const string OwnDeactivationRefusal = "You cannot deactivate your own account: another administrator of your provider must do it.";

    private static string CareText(bool inCare) => inCare ? "in care" : "not in care";

    /// <summary>
    /// An administrator never changes their own standing (they would lock themselves out, or out of review): refused
    /// and audited, whatever the page offered.
    /// </summary>
    private static void RefuseOwn(StaffCommand command, Personnel person, string message)
    {
        if (person.Id == command.Actor.Person?.Id)
        {
            throw command.Refuse(string.Create(CultureInfo.InvariantCulture, $"personnel={person.Id} is the administrator's own"), message);
        }
    }

    /// <summary>Deactivates a leaver: their account is locked and their next action is refused.</summary>
    public Task DeactivateAsync(AuditContext who, int personnelId, CancellationToken cancellationToken = default) =>
        commands.RunAsync(who, "personnel.deactivate", Admin, async command =>
    {
        // The leaver's commands under way finish first, and none starts after; the roster changes.
        await command.ClaimAsync([DataClaim.Staff(personnelId), DataClaim.Roster(command.Actor.ProviderId)], cancellationToken);
        var person = await OwnPersonAsync(command, personnelId, cancellationToken);
        RefuseOwn(command, person, OwnDeactivationRefusal);

        if (!person.IsActive)
        {
            throw new DomainException("This person is already deactivated.");
        }

        person.Deactivate();
        await EndSessionsAsync(command.Db, person.Id, lockOut: true, cancellationToken);
        await command.AuditAsync(AuditEventTypes.StaffDeactivated, string.Create(CultureInfo.InvariantCulture, $"personnel={person.Id}"),
            cancellationToken: cancellationToken);
    }, cancellationToken);

    /// <summary>The provider's active registrations, newest first, optionally only the patient with an NRIC/FIN.</summary>
    public async Task<RegistrationPage> RegistrationsAsync(AuditContext who, string? nricText, int page, CancellationToken cancellationToken = default)
    {
        if (page < 1)
        {
            throw new DomainException("Pages are numbered from 1.");
        }

        Nric? nric = null;
        if (!string.IsNullOrWhiteSpace(nricText))
        {
            nric = Nric.TryParse(nricText, out var parsed, out var error) ? parsed : throw new DomainException(error);
        }

        return await commands.ReadAsync(who, "registration.list", Admin, async command =>
        {
            var db = command.Db;
            var query = db.CareRegistrations.AsNoTracking().CurrentAt(command.Now)
                .Where(r => r.ProviderId == command.Actor.ProviderId)
                .Join(db.Patients, r => r.PatientId, p => p.Id, (r, p) => new { r, p });
            if (nric is { } n)
            {
                query = query.Where(x => x.p.Nric == n);
            }

            var total = await query.CountAsync(cancellationToken);
            var rows = await query.OrderByDescending(x => x.r.RegisteredAtUtc).ThenByDescending(x => x.r.Id)
                .Skip((page - 1) * RegistrationPageSize).Take(RegistrationPageSize)
                .Select(x => new { x.r.Id, x.r.PatientId, x.p.Nric, x.p.Name, x.r.RegisteredAtUtc, x.r.Source, x.r.ExpiresAtUtc, x.p.DemographicsConfirmed, x.p.IsDeceased, x.p.DateOfDeath })
                .ToListAsync(cancellationToken);
            return new RegistrationPage(
                rows.Select(x => new RegistrationRow(x.Id, x.PatientId, x.Nric.Value, x.Name, x.RegisteredAtUtc)
                {
                    Source = x.Source,
                    ExpiresAtUtc = x.ExpiresAtUtc,
                    DemographicsConfirmed = x.DemographicsConfirmed,
                    IsDeceased = x.IsDeceased,
                    DateOfDeath = x.DateOfDeath,
                }).ToList(),
                page, RegistrationPageSize, total);
        }, cancellationToken);
    }

    /// <summary>
    /// Registers a patient (by NRIC/FIN) for care with the administrator's provider, until the end of the last day the
    /// administrator chose (Singapore time): after today and at most <see cref="MaxRegistrationYears"/> year from it.
    /// No last day, or one outside these, is refused and nothing is written. The patient is told of every new
    /// registration (notice and e-mail), and can report it to MOH.
    /// </summary>
    public async Task<RegistrationRow> RegisterPatientAsync(AuditContext who, string? nricText, DateOnly? endsOn, CancellationToken cancellationToken = default)
    {
        if (!Nric.TryParse(nricText, out var nric, out var error))
        {
            throw new DomainException(error);
        }

        var today = NehrCalendar.Today(Now);
        if (endsOn is not { } lastDay)
        {
            throw new DomainException(EndDateRequired);
        }

        if (lastDay <= today)
        {
            throw new DomainException("The registration must end after today.");
        }

        if (lastDay > today.AddYears(MaxRegistrationYears))
        {
            throw new DomainException(string.Create(CultureInfo.InvariantCulture,
                $"A registration lasts at most a year: choose a last day until {LocalTime.Day(today.AddYears(MaxRegistrationYears))}, and register the patient again when it ends."));
        }

        return await commands.RunAsync(who, "registration.create", Admin, async command =>
        {
            var (db, actor, now) = (command.Db, command.Actor, command.Now);
            // One current registration per patient and provider: the patient is claimed before its registrations are read.
            await command.ClaimAsync(DataClaim.Identifier(nric.Value), cancellationToken);
            if (await db.Patients.Where(p => p.Nric == nric || db.FormerIdentifiers.Any(f => f.Nric == nric && f.PatientId == p.Id))
                .Select(p => (int?)p.Id).FirstOrDefaultAsync(cancellationToken) is { } patientId)
            {
                await command.ClaimAsync(DataClaim.Patient(patientId), cancellationToken);
            }

            var patient = await db.Patients.AsNoTracking()
                .Where(p => p.Nric == nric || db.FormerIdentifiers.Any(f => f.Nric == nric && f.PatientId == p.Id))
                .Select(p => new { p.Id, p.Name, p.Nric, p.DemographicsConfirmed, p.IsDeceased, p.DateOfDeath }).SingleOrDefaultAsync(cancellationToken)
                ?? throw new DomainException($"No patient with NRIC/FIN {nric.Value} is in the NEHR. Check the number with the patient.");
            var registrations = db.CareRegistrations.Where(r => r.PatientId == patient.Id && r.ProviderId == actor.ProviderId);
            if (await registrations.CurrentAt(now).AnyAsync(r => r.Source == RegistrationSource.Administrator, cancellationToken))
            {
                throw new DomainException($"{patient.Name} is already registered with {actor.ProviderName}.");
            }

            var registration = new CareRegistration(patient.Id, actor.ProviderId, actor.UserId, now, NehrCalendar.EndOfDayUtc(lastDay));
            db.CareRegistrations.Add(registration);
            await command.SaveAsync(cancellationToken);
            // Every new registration is told (a provider's feed's too), so that the patient can report one they do not
            // recognise; a person the population register records as deceased is not sent a notice (nor an e-mail).
            if (!patient.IsDeceased)
            {
                await Notifications.PatientNotifier.NotifyAsync(db, patient.Id, Notifications.NoticeKind.RegisteredByProvider,
                    new PatientMessage(
                        "{0} registered you for care until {1}. While you are registered, its care team may see your record as your access settings allow.",
                        MessageArgument.Text(actor.ProviderName), MessageArgument.Day(lastDay)),
                    now, cancellationToken: cancellationToken);
            }

            await command.AuditAsync(AuditEventTypes.CareRegistered,
                string.Create(CultureInfo.InvariantCulture, $"registration={registration.Id}; provider={actor.ProviderId}; until={lastDay:yyyy-MM-dd}"), patient.Id, cancellationToken);
            return new RegistrationRow(registration.Id, patient.Id, patient.Nric.Value, patient.Name, now)
            {
                ExpiresAtUtc = registration.ExpiresAtUtc,
                DemographicsConfirmed = patient.DemographicsConfirmed,
                IsDeceased = patient.IsDeceased,
                DateOfDeath = patient.DateOfDeath,
            };
        }, cancellationToken);
    }

    /// <summary>Ends a registration of the administrator's own provider.</summary>
    public Task EndRegistrationAsync(AuditContext who, long registrationId, CancellationToken cancellationToken = default) =>
        commands.RunAsync(who, "registration.end", Admin, async command =>
    {
        var actor = command.Actor;
        if (await command.Db.CareRegistrations.Where(r => r.Id == registrationId).Select(r => (int?)r.PatientId).SingleOrDefaultAsync(cancellationToken) is { } patientId)
        {
            await command.ClaimAsync(DataClaim.Patient(patientId), cancellationToken);
        }

        var registration = await command.Db.CareRegistrations.SingleOrDefaultAsync(r => r.Id == registrationId, cancellationToken);
        if (registration is null || registration.ProviderId != actor.ProviderId)
        {
            throw command.Refuse(string.Create(CultureInfo.InvariantCulture, $"registration={registrationId} is not of provider {actor.ProviderId}"),
                "This registration is not one of your provider's.");
        }

        registration.End(actor.UserId, command.Now);
        await command.AuditAsync(AuditEventTypes.CareRegistrationEnded,
            string.Create(CultureInfo.InvariantCulture, $"registration={registration.Id}; provider={actor.ProviderId}"), registration.PatientId, cancellationToken);
    }, cancellationToken);

    private static readonly string[] Admin = [Roles.ProviderAdmin];

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>A person of the actor's own provider; anyone else is refused (and audited) as if they did not exist.</summary>
    private static async Task<Personnel> OwnPersonAsync(StaffCommand command, int personnelId, CancellationToken cancellationToken)
    {
        var person = await command.Db.Personnel.SingleOrDefaultAsync(p => p.Id == personnelId, cancellationToken);
        return person is not null && person.ProviderId == command.Actor.ProviderId
            ? person
            : throw command.Refuse(
                string.Create(CultureInfo.InvariantCulture, $"personnel={personnelId} is not of provider {command.Actor.ProviderId}"),
                "This person is not on your provider's staff.");
    }

    /// <summary>A new security stamp ends the person's other sessions; a leaver's account is also locked for good.</summary>
    private static async Task EndSessionsAsync(NehrDbContext db, int personnelId, bool lockOut, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.PersonnelId == personnelId, cancellationToken);
        if (user is null)
        {
            return;
        }

        user.SecurityStamp = Guid.NewGuid().ToString("N");
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        if (lockOut)
        {
            user.LockoutEnabled = true;
            user.LockoutEnd = DateTimeOffset.MaxValue;
        }
    }

    private static bool IsEmail(string value)
    {
        if (value.Length is < 3 or > 254 || value.Any(char.IsWhiteSpace))
        {
            return false;
        }

        try
        {
            var address = new MailAddress(value);
            return address.Address == value && address.Host.Contains('.', StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>16 characters with every class the password policy asks for, from a cryptographic generator.</summary>
    internal static string TemporaryPassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string lower = "abcdefghijkmnpqrstuvwxyz";
        const string digits = "23456789";
        const string symbols = "!#$%*+-=?@";
        const string all = upper + lower + digits + symbols;
        var chars = new char[16];
        chars[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        chars[3] = symbols[RandomNumberGenerator.GetInt32(symbols.Length)];
        for (var i = 4; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}
