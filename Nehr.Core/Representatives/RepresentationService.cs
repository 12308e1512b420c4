using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nehr.Core.Audit;
using Nehr.Core.Commands;
using Nehr.Core.Data;
using Nehr.Core.Identity;
using Nehr.Core.Notifications;
using Nehr.Core.Records;

namespace Nehr.Core.Representatives;

/// <summary>One relationship as one side sees it: the other person, what it allows, and whether it allows anything now.</summary>
public sealed record RepresentationView(
    long Id, RepresentationKind Kind, RepresentativePowers Powers, RepresentationState State, string OtherName, string OtherNric,
    DateTime StartsAtUtc, DateTime? EndsAtUtc, string? OrderReference, PatientMessage? NotNow, bool CanEnd)
{
    public bool IsCurrent => NotNow is null;
}

/// <summary>The signed-in person's relationships: who may act for them, whom they act for, invitations waiting for their answer.</summary>
public sealed record MyRepresentations(
    IReadOnlyList<RepresentationView> ActForMe, IReadOnlyList<RepresentationView> IActFor, IReadOnlyList<RepresentationView> InvitationsToMe);

/// <summary>Whom the signed-in person is acting for now, for the banner: the patient, and why it no longer works if it does not.</summary>
public sealed record ActingFor(long RepresentationId, string PatientName, RepresentationKind Kind, RepresentativePowers Powers, PatientMessage? NotNow);

/// <summary>
/// Caregivers and representatives: a patient invites a caregiver by NRIC/FIN, who accepts after signing in; either
/// side ends it; MOH records court-appointed deputies and LPA donees from their orders; the population register links
/// parents of children under 14 (<see cref="Contribution.PopulationRegisterFeed"/>). A representative acts for a
/// patient as themselves (their own sign-in), never with staff powers, and every action is audited with both people.
/// </summary>
public sealed class RepresentationService(Commands.Commands commands, IOptionsMonitor<RepresentationOptions> options)
{
    public static readonly IReadOnlyCollection<string> MohAdmin = [Roles.MohAdmin];

    private int DeceasedReadDays => options.CurrentValue.DeceasedReadDays;

    /// <summary>Who an invited caregiver is, to the patient, until they accept (their name is not told before).</summary>
    public const string NameNotYetShown = "(name shown once they accept)";

    /// <summary>Whom the banner names when the person acts under a relationship that is not theirs.</summary>
    public const string SomeoneNotRepresented = "someone you do not represent";

    /// <summary>Why an invitation allows nothing now: it ran out unanswered.</summary>
    public const string InvitationExpired = "the invitation expired";

    /// <summary>The signed-in person's relationships (their own, whomever they act for now).</summary>
    public Task<MyRepresentations> MineAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsPatientAsync(who, "list caregivers and representatives", null, async command =>
        {
            var db = command.Db;
            var me = await MeAsync(command, cancellationToken);
            var forMe = await db.Representations.AsNoTracking()
                .Where(r => r.PatientId == me.Id && (r.State == RepresentationState.Invited || r.State == RepresentationState.Active))
                .OrderBy(r => r.CreatedAtUtc).ThenBy(r => r.Id).ToListAsync(cancellationToken);
            var mine = await db.Representations.AsNoTracking()
                .Where(r => (r.RepresentativeId == me.Id || (r.RepresentativeId == null && r.RepresentativeNric == me.Nric))
                    && (r.State == RepresentationState.Invited || r.State == RepresentationState.Active))
                .OrderBy(r => r.CreatedAtUtc).ThenBy(r => r.Id).ToListAsync(cancellationToken);

            var ids = forMe.Select(r => r.RepresentativeId).Where(id => id is not null).Select(id => id!.Value).Concat(mine.Select(r => r.PatientId)).Distinct().ToList();
            var people = await db.Patients.AsNoTracking().Where(p => ids.Contains(p.Id))
                .Select(p => new { p.Id, p.Name, p.IsDeceased, p.DateOfDeath }).ToDictionaryAsync(p => p.Id, cancellationToken);
            var myself = await db.Patients.AsNoTracking().Where(p => p.Id == me.Id).Select(p => new { p.IsDeceased, p.DateOfDeath }).SingleAsync(cancellationToken);

            RepresentationView ForMe(Representation r) => new(r.Id, r.Kind, r.Powers, r.State,
                r.RepresentativeId is { } id && people.TryGetValue(id, out var p) ? p.Name : NameNotYetShown, r.RepresentativeNric.Masked,
                r.StartsAtUtc, r.EndsAtUtc, r.OrderReference,
                r.State == RepresentationState.Invited
                    ? r.IsInvitationExpired(command.Now) ? new PatientMessage(InvitationExpired) : new PatientMessage("waiting for them to accept")
                    : r.WhyNotText(RepresentativePowers.None, command.Now, myself.IsDeceased, myself.DateOfDeath, DeceasedReadDays),
                r.Kind == RepresentationKind.InvitedCaregiver);
            RepresentationView Mine(Representation r)
            {
                var patient = people[r.PatientId];
                return new(r.Id, r.Kind, r.Powers, r.State, patient.Name, "", r.StartsAtUtc, r.EndsAtUtc, r.OrderReference,
                    r.State == RepresentationState.Invited
                        ? r.IsInvitationExpired(command.Now) ? new PatientMessage(InvitationExpired) : new PatientMessage("waiting for your answer")
                        : r.WhyNotText(RepresentativePowers.None, command.Now, patient.IsDeceased, patient.DateOfDeath, DeceasedReadDays),
                    r.Kind == RepresentationKind.InvitedCaregiver);
            }

            return new MyRepresentations(
                forMe.Select(ForMe).ToList(),
                mine.Where(r => r.State == RepresentationState.Active).Select(Mine).ToList(),
                mine.Where(r => r.State == RepresentationState.Invited).Select(Mine).ToList());
        }, cancellationToken);

    /// <summary>
    /// The patient invites a caregiver by NRIC/FIN, choosing what they may do; the caregiver accepts after signing in.
    /// Whether the NRIC/FIN has an NEHR record is not told (the invitation is made either way).
    /// </summary>
    public Task<long> InviteAsync(AuditContext who, string? nric, RepresentativePowers powers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (who.RepresentationId is not null)
        {
            throw new DomainException(new PatientMessage("You are acting for someone else: switch back to your own record to invite a caregiver for yourself."));
        }

        if (!Nric.TryParse(nric, out var caregiver, out var error))
        {
            throw new DomainException(new Dictionary<string, string> { ["nric"] = error });
        }

        if (powers == RepresentativePowers.None || (powers & ~RepresentativePowers.All) != 0)
        {
            throw new DomainException("powers", new PatientMessage("Choose at least one thing the person may do."));
        }

        return commands.RunAsPatientAsync(who, "invite a caregiver", null, async command =>
        {
            var db = command.Db;
            var me = await MeAsync(command, cancellationToken);
            if (me.Nric == caregiver || await db.FormerIdentifiers.AnyAsync(f => f.PatientId == command.PatientId && f.Nric == caregiver, cancellationToken))
            {
                throw new DomainException("nric", new PatientMessage("This is your own NRIC/FIN: invite the person who will help you."));
            }

            var open = await db.Representations.Where(r => r.PatientId == command.PatientId && r.RepresentativeNric == caregiver
                && r.Kind == RepresentationKind.InvitedCaregiver && (r.State == RepresentationState.Invited || r.State == RepresentationState.Active))
                .ToListAsync(cancellationToken);
            foreach (var stale in open.Where(r => r.IsInvitationExpired(command.Now)))
            {
                stale.End(who.UserId, Representation.EndedUnanswered, command.Now);
                await db.SaveChangesAsync(cancellationToken);
            }

            if (open.FirstOrDefault(r => r.State != RepresentationState.Ended) is { } existing)
            {
                throw new DomainException("nric", existing.State == RepresentationState.Active
                    ? new PatientMessage("This person is already your caregiver. End it first to change what they may do.")
                    : new PatientMessage("You have already invited this person; the invitation is waiting for their answer."));
            }

            var invitation = Representation.Invitation(command.PatientId, caregiver, powers, who.UserId!, command.Now);
            db.Representations.Add(invitation);
            await db.SaveChangesAsync(cancellationToken);
            await command.AuditAsync(AuditEventTypes.RepresentationInvited, Describe(invitation), cancellationToken: cancellationToken);

            // The invitee is told in their notices if they have an NEHR record (nothing is said to the patient about it).
            if (await db.Patients.Where(p => p.Nric == caregiver).Select(p => (int?)p.Id).SingleOrDefaultAsync(cancellationToken) is { } inviteeId)
            {
                await PatientNotifier.NotifyAsync(db, inviteeId, NoticeKind.Representation,
                    new PatientMessage("{0} invited you to act for them in the NEHR ({1}). Accept or decline under \"Caregivers\" by {2}.",
                        MessageArgument.Text(me.Name), MessageArgument.Phrases(Representation.PowerTexts(powers)),
                        MessageArgument.Day(NehrCalendar.Today(invitation.CreatedAtUtc + Representation.InvitationLifetime))),
                    command.Now, cancellationToken: cancellationToken);
            }

            return invitation.Id;
        }, cancellationToken);
    }

    /// <summary>The invited caregiver accepts: from now on they may act for the patient as the invitation allows.</summary>
    public Task AcceptAsync(AuditContext who, long id, CancellationToken cancellationToken = default) =>
        AnswerAsync(who, id, accept: true, cancellationToken);

    public Task DeclineAsync(AuditContext who, long id, CancellationToken cancellationToken = default) =>
        AnswerAsync(who, id, accept: false, cancellationToken);

    private Task<bool> AnswerAsync(AuditContext who, long id, bool accept, CancellationToken cancellationToken) =>
        commands.RunAsPatientAsync(who, accept ? "accept an invitation" : "decline an invitation", null, async command =>
        {
            var db = command.Db;
            var me = await MeAsync(command, cancellationToken);
            await ClaimRepresentedAsync(command, id, cancellationToken);
            var invitation = await db.Representations.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
            if (invitation is null || invitation.Kind != RepresentationKind.InvitedCaregiver || !invitation.Names(me.Id, me.Nric))
            {
                throw command.Refuse($"representation={id}: not an invitation to the caller", new PatientMessage("There is no such invitation for you."));
            }

            if (invitation.State != RepresentationState.Invited)
            {
                throw command.Refuse($"representation={id}: {invitation.State}",
                    invitation.State == RepresentationState.Ended
                        ? new PatientMessage("This invitation was withdrawn.")
                        : new PatientMessage("This invitation has already been answered."));
            }

            if (invitation.IsInvitationExpired(command.Now))
            {
                throw command.Refuse($"representation={id}: expired",
                    new PatientMessage("This invitation expired on {0}: ask the patient to invite you again.",
                        MessageArgument.Day(NehrCalendar.Today(invitation.CreatedAtUtc + Representation.InvitationLifetime))));
            }

            if (accept)
            {
                invitation.Accept(me.Id, command.Now);
            }
            else
            {
                invitation.Decline(me.Id, command.Now);
            }

            await command.AuditAsync(new AuditEntry
            {
                EventType = accept ? AuditEventTypes.RepresentationAccepted : AuditEventTypes.RepresentationDeclined,
                CorrelationId = who.CorrelationId,
                ActorUserId = who.UserId,
                ActorRole = PatientSelf.RepresentativeRole,
                ClientAddress = who.ClientAddress,
                PatientId = invitation.PatientId,
                Details = string.Create(CultureInfo.InvariantCulture, $"{Describe(invitation)}; representative={me.Id}"),
            }, cancellationToken);
            await PatientNotifier.NotifyAsync(db, invitation.PatientId, NoticeKind.Representation, accept
                ? new PatientMessage("{0} accepted your invitation and can now act for you in the NEHR ({1}). You can end this at any time under \"Caregivers\".",
                    MessageArgument.Text(me.Name), MessageArgument.Phrases(Representation.PowerTexts(invitation.Powers)))
                : new PatientMessage("{0} declined your invitation to act for you in the NEHR.", MessageArgument.Text(me.Name)),
                command.Now, cancellationToken: cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Either side ends an invited caregiver's relationship (the patient may also withdraw an invitation not yet
    /// answered). Parent links end by themselves; appointed representatives are ended by MOH.
    /// </summary>
    public Task EndAsync(AuditContext who, long id, CancellationToken cancellationToken = default) =>
        commands.RunAsPatientAsync(who, "end a caregiver relationship", null, async command =>
        {
            var db = command.Db;
            var me = await MeAsync(command, cancellationToken);
            await ClaimRepresentedAsync(command, id, cancellationToken);
            var representation = await db.Representations.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
            var asPatient = representation?.PatientId == me.Id;
            if (representation is null || (!asPatient && !representation.Names(me.Id, me.Nric)))
            {
                throw command.Refuse($"representation={id}: not the caller's", new PatientMessage("There is no such relationship of yours."));
            }

            if (representation.Kind != RepresentationKind.InvitedCaregiver)
            {
                throw new DomainException(representation.Kind == RepresentationKind.ParentOfChild
                    ? new PatientMessage("A parent's access ends by itself at the child's 14th birthday, or when the population register no longer links the parent.")
                    : new PatientMessage("An appointed representative is recorded from a court order or an LPA: MOH ends it. Contact the NEHR helpdesk."));
            }

            if (representation.State is not (RepresentationState.Invited or RepresentationState.Active))
            {
                throw new DomainException(new PatientMessage("This relationship has already ended."));
            }

            representation.End(who.UserId, asPatient ? Representation.EndedByPatient : Representation.EndedByCaregiver, command.Now);
            await command.AuditAsync(new AuditEntry
            {
                EventType = AuditEventTypes.RepresentationEnded,
                CorrelationId = who.CorrelationId,
                ActorUserId = who.UserId,
                ActorRole = asPatient ? Roles.Patient : PatientSelf.RepresentativeRole,
                ClientAddress = who.ClientAddress,
                PatientId = representation.PatientId,
                Details = $"{Describe(representation)}; {representation.EndReason}",
            }, cancellationToken);
            if (!asPatient)
            {
                await PatientNotifier.NotifyAsync(db, representation.PatientId, NoticeKind.Representation,
                    new PatientMessage("{0} stopped acting for you in the NEHR.", MessageArgument.Text(me.Name)), command.Now, cancellationToken: cancellationToken);
            }
            else if (representation.RepresentativeId is { } caregiverId && representation.AnsweredAtUtc is not null)
            {
                await PatientNotifier.NotifyAsync(db, caregiverId, NoticeKind.Representation,
                    new PatientMessage("{0} ended your access to act for them in the NEHR.", MessageArgument.Text(me.Name)), command.Now, cancellationToken: cancellationToken);
            }

            return true;
        }, cancellationToken);

    /// <summary>
    /// Checks, before the person switches to act for a patient, that they may (and links their person to a
    /// representation the register or an order made by NRIC/FIN). Returns the patient's name; a refusal is audited.
    /// </summary>
    public Task<string> BeginActingAsync(AuditContext who, long id, CancellationToken cancellationToken = default) =>
        commands.RunAsPatientAsync(who with { RepresentationId = null }, "act for a patient", null, async command =>
        {
            var me = await MeAsync(command, cancellationToken);
            var (representation, patientName, why) = await RelationshipAsync(command, me, id, cancellationToken);
            if (representation is null)
            {
                throw command.Refuse($"representation={id}: not the caller's", new PatientMessage("You cannot act for this person."));
            }

            if (why is not null)
            {
                throw command.Refuse($"representation={id}; {why.English}",
                    new PatientMessage("You cannot act for {0}: {1}.", MessageArgument.Text(patientName!), MessageArgument.Message(why)));
            }

            representation.LinkRepresentative(me.Id);
            return patientName!;
        }, cancellationToken);

    /// <summary>Whom the signed-in person acts for now (null when for themselves), and why that no longer works, for the banner.</summary>
    public async Task<ActingFor?> ActingForAsync(AuditContext who, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (who.RepresentationId is not { } id)
        {
            return null;
        }

        return await commands.ReadAsPatientAsync(who with { RepresentationId = null }, "see whom they act for", null, async command =>
        {
            var (representation, patientName, why) = await RelationshipAsync(command, await MeAsync(command, cancellationToken), id, cancellationToken);
            return representation is null
                ? new ActingFor(id, SomeoneNotRepresented, RepresentationKind.InvitedCaregiver, RepresentativePowers.None, new PatientMessage("you cannot act for this person"))
                : new ActingFor(id, patientName!, representation.Kind, representation.Powers, why);
        }, cancellationToken);
    }

    /// <summary>
    /// MOH records a court-appointed deputy or an LPA donee from the order, without the patient's action: active at once,
    /// until the order's expiry (end of that day in Singapore). The patient is told.
    /// </summary>
    public Task<long> AppointAsync(AuditContext who, NewAppointment input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string>();
        if (!Nric.TryParse(input.PatientNric, out var patientNric, out var patientError))
        {
            errors["patientNric"] = patientError;
        }

        if (!Nric.TryParse(input.RepresentativeNric, out var representativeNric, out var representativeError))
        {
            errors["representativeNric"] = representativeError;
        }
        else if (errors.Count == 0 && representativeNric == patientNric)
        {
            errors["representativeNric"] = "The representative cannot be the patient.";
        }

        if (input.Kind is not { } kind || !Representation.IsAppointed(kind))
        {
            errors["kind"] = "Choose the kind of appointment: court-appointed deputy or Lasting Power of Attorney donee.";
        }

        var reference = (input.OrderReference ?? string.Empty).Trim();
        if (reference.Length is 0 or > Representation.MaxReferenceLength)
        {
            errors["orderReference"] = $"Enter the order's or LPA's reference (1 to {Representation.MaxReferenceLength} characters).";
        }

        if (input.Powers == RepresentativePowers.None || (input.Powers & ~RepresentativePowers.All) != 0)
        {
            errors["powers"] = "Choose at least one thing the representative may do.";
        }

        if (errors.Count > 0)
        {
            throw new DomainException(errors);
        }

        return commands.RunAsync(who, "record an appointed representative", MohAdmin, async command =>
        {
            var db = command.Db;
            var today = NehrCalendar.Today(command.Now);
            if (input.ExpiresOn is not { } expires || expires < today || expires > today.AddYears(30))
            {
                throw new DomainException(new Dictionary<string, string> { ["expiresOn"] = "Enter the order's expiry: today or later (at most 30 years ahead)." });
            }

            var patient = await db.Patients.AsNoTracking().Where(p => p.Nric == patientNric).Select(p => new { p.Id, p.Name }).SingleOrDefaultAsync(cancellationToken)
                ?? throw new DomainException(new Dictionary<string, string> { ["patientNric"] = "The NEHR has no record for this NRIC/FIN." });
            if (await db.Representations.AnyAsync(r => r.PatientId == patient.Id && r.RepresentativeNric == representativeNric && r.Kind == input.Kind
                && r.State == RepresentationState.Active, cancellationToken))
            {
                throw new DomainException(new Dictionary<string, string> { ["representativeNric"] = "This appointment is already recorded: end it first to record a new order." });
            }

            var representativeId = await db.Patients.Where(p => p.Nric == representativeNric).Select(p => (int?)p.Id).SingleOrDefaultAsync(cancellationToken);
            var appointment = Representation.Appointment(patient.Id, representativeNric, representativeId, input.Kind!.Value, reference,
                NehrCalendar.EndOfDayUtc(expires), input.Powers, who.UserId!, command.Now);
            db.Representations.Add(appointment);
            await command.SaveAsync(cancellationToken);
            await command.AuditAsync(AuditEventTypes.RepresentationAppointed, Describe(appointment), patient.Id, cancellationToken);
            await PatientNotifier.NotifyAsync(db, patient.Id, NoticeKind.Representation,
                new PatientMessage("MOH recorded a {0} for you in the NEHR (order {1}, until {2}), who may {3}.",
                    MessageArgument.Phrase(Representation.Display(appointment.Kind).ToLowerInvariant()), MessageArgument.Text(reference),
                    MessageArgument.Day(NehrCalendar.Today(appointment.EndsAtUtc!.Value)), MessageArgument.Phrases(Representation.PowerTexts(appointment.Powers))),
                command.Now, cancellationToken: cancellationToken);
            return appointment.Id;
        }, cancellationToken);
    }

    /// <summary>MOH ends an appointed representative's relationship (the order was revoked or replaced).</summary>
    public Task EndAppointmentAsync(AuditContext who, long id, string? reason, CancellationToken cancellationToken = default)
    {
        var why = (reason ?? string.Empty).Trim();
        if (why.Length is < 5 or > Representation.MaxReasonLength)
        {
            throw new DomainException(new Dictionary<string, string> { ["reason"] = $"Say why the appointment ends (5 to {Representation.MaxReasonLength} characters)." });
        }

        return commands.RunAsync(who, "end an appointed representative", MohAdmin, async command =>
        {
            await ClaimRepresentedAsync(command, id, cancellationToken);
            var appointment = await command.Db.Representations.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
            if (appointment is null || !Representation.IsAppointed(appointment.Kind) || appointment.State != RepresentationState.Active)
            {
                throw new DomainException("There is no such current appointment.");
            }

            appointment.End(who.UserId, why, command.Now);
            await command.AuditAsync(AuditEventTypes.RepresentationEnded, $"{Describe(appointment)}; {why}", appointment.PatientId, cancellationToken);
            await PatientNotifier.NotifyAsync(command.Db, appointment.PatientId, NoticeKind.Representation,
                new PatientMessage("MOH ended the {0} recorded for you (order {1}).",
                    MessageArgument.Phrase(Representation.Display(appointment.Kind).ToLowerInvariant()), MessageArgument.Text(appointment.OrderReference ?? "")),
                command.Now, cancellationToken: cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>The appointed representatives MOH has recorded, current ones first.</summary>
    public Task<IReadOnlyList<AppointmentRow>> AppointmentsAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<AppointmentRow>>(who, "list appointed representatives", MohAdmin, async command =>
        {
            var db = command.Db;
            var rows = await db.Representations.AsNoTracking()
                .Where(r => r.Kind == RepresentationKind.CourtDeputy || r.Kind == RepresentationKind.LpaDonee)
                .OrderByDescending(r => r.CreatedAtUtc).ThenByDescending(r => r.Id).Take(200)
                .Join(db.Patients, r => r.PatientId, p => p.Id, (r, p) => new { r, p.Name, p.Nric })
                .ToListAsync(cancellationToken);
            return rows.Select(x => new AppointmentRow(x.r.Id, x.Name, x.Nric.Masked, x.r.RepresentativeNric.Masked, x.r.Kind, x.r.OrderReference ?? "",
                x.r.Powers, x.r.EndsAtUtc, x.r.IsCurrent(command.Now), x.r.EndReason)).ToList();
        }, cancellationToken);

    private sealed record Person(int Id, Nric Nric, string Name);

    /// <summary>The caller's own person (whoever they act for).</summary>
    private static Task<Person> MeAsync(PatientCommand command, CancellationToken cancellationToken) =>
        command.Db.Patients.AsNoTracking().Where(p => p.Id == command.PatientId).Select(p => new Person(p.Id, p.Nric, p.Name)).SingleAsync(cancellationToken);

    /// <summary>
    /// The caller's relationship <paramref name="id"/> (tracked, so that a switch can link the person), the patient's
    /// name, and why it allows nothing now (null: it does); no relationship when it is not the caller's.
    /// </summary>
    private async Task<(Representation? Representation, string? PatientName, PatientMessage? WhyNot)> RelationshipAsync(
        PatientCommand command, Person me, long id, CancellationToken cancellationToken)
    {
        var representation = await command.Db.Representations.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (representation is null || !representation.Names(me.Id, me.Nric))
        {
            return (null, null, null);
        }

        var patient = await command.Db.Patients.AsNoTracking().Where(p => p.Id == representation.PatientId)
            .Select(p => new { p.Name, p.IsDeceased, p.DateOfDeath }).SingleAsync(cancellationToken);
        return (representation, patient.Name, representation.WhyNotText(RepresentativePowers.None, command.Now, patient.IsDeceased, patient.DateOfDeath, DeceasedReadDays));
    }

    private static string Describe(Representation r) => string.Create(CultureInfo.InvariantCulture,
        $"representation={r.Id}; kind={r.Kind}; representative={r.RepresentativeNric.Masked}; powers={r.Powers}{(r.OrderReference is null ? "" : $"; order={r.OrderReference}")}{(r.EndsAtUtc is { } end ? $"; until={end:yyyy-MM-ddTHH:mmZ}" : "")}");

    /// <summary>
    /// Claims the patient a representation is for (its patient never changes): its changes, the representative's
    /// commands and the patient's own run one at a time (<see cref="DataClaim.Patient"/>).
    /// </summary>
    private static async Task ClaimRepresentedAsync(Commands.Command command, long representationId, CancellationToken cancellationToken)
    {
        if (await command.Db.Representations.Where(r => r.Id == representationId).Select(r => (int?)r.PatientId).SingleOrDefaultAsync(cancellationToken) is { } patientId)
        {
            await command.ClaimAsync(DataClaim.Patient(patientId), cancellationToken);
        }
    }
}

/// <summary>What an MOH administrator enters from a court order or an LPA.</summary>
public sealed record NewAppointment(
    string? PatientNric, string? RepresentativeNric, RepresentationKind? Kind, string? OrderReference, DateOnly? ExpiresOn, RepresentativePowers Powers);

public sealed record AppointmentRow(
    long Id, string PatientName, string PatientNric, string RepresentativeNric, RepresentationKind Kind, string OrderReference,
    RepresentativePowers Powers, DateTime? ExpiresAtUtc, bool IsCurrent, string? EndReason);
