import type { PageDictionary } from './en-US.js';

export const frFR: PageDictionary = {
  brand: 'Foyer',
  skipToContent: 'Aller au contenu',
  poweredBy: 'Sécurisé par Foyer',
  redeemTitle: 'Accepter l’invitation',
  redeemHeading: 'Vous êtes invité(e)',
  redeemIntro: '{inviter} a invité {email} à accéder à des applications de {organization}.',
  organizationLabel: 'Organisation',
  domainLabel: 'Domaine',
  privacyLabel: 'Déclaration de confidentialité',
  privacyLink: 'Déclaration de confidentialité de {organization}',
  privacyNotProvided: 'non fournie',
  trustWarning:
    'N’acceptez que si vous faites confiance à {organization}. Si vous n’attendiez pas cette invitation, fermez cette page.',
  continueButton: 'Continuer',
  signedInAs: 'Vous êtes connecté(e) en tant que {email}.',
  wrongAccount:
    'Cette invitation est destinée à {invited}, mais vous êtes connecté(e) en tant que {current}.',
  useAnotherAccount: 'Utiliser un autre compte',
  redeemedHeading: 'Invitation déjà acceptée',
  redeemedText:
    'Cette invitation a déjà été acceptée. Connectez-vous à {organization} en tant que {email} pour continuer.',
  signInButton: 'Se connecter',
  signInTitle: 'Connexion',
  signInHeading: 'Connexion',
  signInTo: 'pour continuer vers {app}',
  signInAt: 'chez {organization}',
  emailLabel: 'Adresse e-mail',
  emailHint: 'L’adresse de votre compte professionnel ou personnel.',
  nextButton: 'Suivant',
  noAccount: 'Pas de compte ?',
  createAccountLink: 'Créez-en un',
  passwordTitle: 'Saisir le mot de passe',
  passwordHeading: 'Saisissez votre mot de passe',
  passwordLabel: 'Mot de passe',
  forgotPassword: 'Mot de passe oublié ?',
  passwordPolicy:
    'Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner.',
  passcodeTitle: 'Saisir le code',
  passcodeHeading: 'Saisissez le code reçu par e-mail',
  passcodeSent: 'Nous avons envoyé un code à 8 chiffres à {email}. Il est valable 30 minutes.',
  passcodeLabel: 'Code',
  verifyButton: 'Vérifier',
  resendCode: 'Envoyer un nouveau code',
  sendCodeButton: 'Envoyer le code',
  passcodeOffer: 'Nous allons envoyer un code à usage unique à {email}.',
  signupTitle: 'Créer un compte',
  signupHeading: 'Créez votre compte',
  signupIntro:
    'Créez un compte personnel pour {email}. Nous vous enverrons un code par e-mail pour confirmer l’adresse.',
  displayNameLabel: 'Votre nom',
  newPasswordLabel: 'Nouveau mot de passe',
  createAccountButton: 'Créer le compte',
  resetTitle: 'Réinitialiser le mot de passe',
  resetHeading: 'Réinitialisez votre mot de passe',
  resetIntro:
    'Si {email} a un compte, nous lui avons envoyé un code. Saisissez-le avec un nouveau mot de passe.',
  resetButton: 'Réinitialiser le mot de passe',
  resetDone: 'Votre mot de passe a été modifié. Connectez-vous avec celui-ci.',
  consentTitle: 'Vérifier les autorisations',
  consentHeading: 'Vérifiez les autorisations',
  consentIntro: '{organization} ({domain}) souhaite :',
  consentSignIn: 'Vous connecter à ses applications',
  consentProfile: 'Lire votre nom, votre adresse e-mail, votre photo et vos identifiants',
  consentApp: '{app} souhaite :',
  consentScopeOpenid: 'Vous connecter',
  consentScopeProfile: 'Voir votre nom et votre nom d’utilisateur',
  consentScopeEmail: 'Voir votre adresse e-mail',
  consentScopeOffline: 'Conserver l’accès à ce que vous lui avez permis',
  consentScopeApi: 'Accéder à l’annuaire de {organization} en votre nom ({permissions})',
  consentNote:
    'En acceptant, vous permettez à {organization} d’utiliser vos informations comme l’indique sa déclaration de confidentialité.',
  acceptButton: 'Accepter',
  cancelButton: 'Annuler',
  cancelledHeading: 'Invitation non acceptée',
  cancelledText:
    'Rien n’a été partagé. L’invitation reste valable : utilisez le lien de l’e-mail quand vous serez prêt(e).',
  logoutTitle: 'Déconnexion',
  logoutHeading: 'Se déconnecter de {organization} ?',
  logoutButton: 'Se déconnecter',
  stayButton: 'Rester connecté(e)',
  loggedOutHeading: 'Vous êtes déconnecté(e)',
  loggedOutText: 'Vous pouvez fermer cette fenêtre.',
  errorTitle: 'Un problème est survenu',
  errorGeneric:
    'La demande n’a pas abouti. Réessayez ; si le problème persiste, communiquez cette référence : {requestId}.',
  errorNotFound: 'Cette page n’existe pas.',
  errorLinkNotValid:
    'Ce lien d’invitation n’est pas valide. Il est peut-être incomplet, ou une invitation plus récente l’a remplacé. Demandez une nouvelle invitation à l’expéditeur.',
  errorInvitationRevoked: 'Cette invitation a été retirée par l’organisation qui l’a envoyée.',
  errorInvitationExpired: 'Cette invitation a expiré. Demandez-en une nouvelle à l’expéditeur.',
  errorRedeemedByOther: 'Cette invitation a déjà été acceptée par quelqu’un d’autre.',
  errorWrongCredentials: 'Votre adresse e-mail ou votre mot de passe est incorrect.',
  errorLocked:
    'Trop de tentatives échouées. Ce compte est bloqué depuis votre réseau pour un moment ; réessayez dans {minutes} minutes, ou réinitialisez votre mot de passe.',
  errorWrongCode: 'Ce code n’est pas valide. Vérifiez le dernier e-mail reçu et réessayez.',
  errorCodeExhausted: 'Ce code ne peut plus être utilisé. Demandez-en un nouveau.',
  errorTooManyCodes:
    'Trop de codes ont été envoyés à cette adresse. Attendez quelques minutes avant d’en demander un autre.',
  errorPasswordPolicy:
    'Le mot de passe doit comporter au moins 12 caractères et ne pas répéter un seul caractère.',
  errorEmailInvalid: 'Saisissez une adresse e-mail valide.',
  errorEmailMismatch:
    'Vous vous êtes connecté(e) en tant que {current}, mais l’invitation est destinée à {invited}. Utilisez le compte de {invited}.',
  errorDomainNotAllowed: '{organization} n’accepte plus d’invités de ce domaine de messagerie.',
  errorAccountDisabled: 'Ce compte est désactivé. Contactez l’administrateur de votre organisation.',
  errorNoAccess:
    '{email} n’a pas accès à {organization}. Demandez une invitation à l’organisation, ou utilisez un autre compte.',
  errorCsrf:
    'Ce formulaire a expiré ou provient d’un autre site. Revenez en arrière, rechargez la page et réessayez.',
  errorInteractionExpired:
    'Cette connexion a pris trop de temps et a expiré. Retournez à l’application et recommencez.',
  errorAccountExists: 'Un compte existe déjà pour cette adresse. Connectez-vous plutôt.',
  errorPasscodeDisabled:
    '{organization} n’accepte pas les codes à usage unique. Demandez-lui comment vous connecter.',
  codeMailSubject: 'Votre code pour {organization} : {code}',
  codeMailIntro: 'Utilisez ce code pour continuer votre connexion à {organization} :',
  codeMailValidity: 'Il est valable 30 minutes et ne peut servir qu’une fois.',
  codeMailIgnore:
    'Si vous ne l’avez pas demandé, ignorez cet e-mail : personne ne peut se connecter sans ce code.',
  errorIdentityAlreadyGuest:
    '{email} est déjà invité(e) chez {organization} par une autre invitation. Connectez-vous plutôt.',
  errorTooManyRequests: 'Trop de demandes sont venues de votre réseau. Attendez une minute et réessayez.',
  errorTooLarge:
    'Ce que vous avez envoyé dépasse ce que cette page accepte. Revenez en arrière et choisissez un fichier plus petit.',
  emailMeCode: 'M’envoyer plutôt un code à usage unique',
  passcodeMaybeSent:
    'Si {email} peut se connecter ici avec un code à usage unique, nous lui en avons envoyé un : 8 chiffres, valable 30 minutes.',
  signupDoneHeading: 'Votre compte est prêt',
  signupDoneText:
    'Vous êtes connecté(e) en tant que {email}. Utilisez ce compte pour accepter les invitations des organisations et vous connecter à leurs applications.',
  backToSignIn: 'Retour à la connexion',
  // Fédération (issue 9) : le fournisseur d’identité de l’invité
  errorFederationFailed:
    '{provider} n’a pas pu terminer votre connexion, rien n’a changé. Réessayez dans quelques minutes ; si cela continue, prévenez {organization}.',
  errorFederationUnverified:
    '{provider} n’a pas confirmé que {email} est une adresse vérifiée vous appartenant. L’invitation reste en attente : connectez-vous chez {provider} avec une adresse vérifiée.',
  errorFederationMismatch:
    '{provider} vous a connecté(e) en tant que {email}, mais l’invitation est pour {invited}. L’invitation reste en attente : connectez-vous chez {provider} en tant que {invited}.',
  errorFederationState:
    'Cette connexion a expiré ou a déjà été utilisée. Revenez à l’invitation ou à l’application et recommencez.',
  // MFA (src/mfa)
  mfaEnrolTitle: 'Configurer la vérification en deux étapes',
  mfaEnrolHeading: 'Configurer la vérification en deux étapes',
  mfaEnrolIntro:
    '{organization} demande un code d’une application d’authentification à chaque connexion. Scannez ce code QR avec l’application (Microsoft Authenticator, Google Authenticator, FreeOTP…), ou saisissez-y la clé ci-dessous.',
  mfaQrAlt: 'Code QR qui ajoute {organization} à une application d’authentification',
  mfaSecretLabel: 'Clé',
  mfaCodeLabel: 'Code de l’application',
  mfaCodeHint:
    'Le code à 6 chiffres que l’application affiche pour {organization}. Il change toutes les 30 secondes.',
  mfaConfirmButton: 'Confirmer',
  mfaRecoveryTitle: 'Conservez vos codes de récupération',
  mfaRecoveryHeading: 'Conservez vos codes de récupération',
  mfaRecoveryIntro:
    'Si vous perdez votre appareil, chacun de ces codes vous permet de vous connecter une fois. Gardez-les en lieu sûr : ils ne sont affichés que maintenant.',
  mfaRecoveryListLabel: 'Codes de récupération',
  mfaVerifyTitle: 'Vérification en deux étapes',
  mfaVerifyHeading: 'Saisissez le code de votre application d’authentification',
  mfaVerifyIntro: '{organization} demande une seconde étape.',
  mfaRecoveryOffer: 'Appareil perdu ? Utilisez l’un de vos codes de récupération.',
  mfaRecoveryCodeLabel: 'Code de récupération',
  mfaRecoveryButton: 'Se connecter avec un code de récupération',
  errorMfaWrongCode: 'Ce code n’est pas valide ou a déjà servi. Attendez le code suivant et réessayez.',
  errorMfaWrongRecoveryCode: 'Ce code de récupération n’est pas valide ou a déjà servi.',
  errorMfaLocked:
    'Trop de codes erronés. La vérification en deux étapes est bloquée ; réessayez dans {minutes} minutes.',
};
