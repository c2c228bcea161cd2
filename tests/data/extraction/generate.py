"""Generates the extraction evaluation set: news pages imitating real site templates, each
with its true text.

Run `python tests/data/extraction/generate.py` to (re)write `<id>.html` and `<id>.json` beside
this file. The output is deterministic (seeded) and committed; the generator is kept so that
the set can be audited and extended. Truth convention: `text` is the article as a reader sees
it, title excluded: standfirst (dek) when shown, body paragraphs, subheadings and quoted
passages, paragraphs separated by a blank line. Not in the truth: navigation, captions and
photo credits, "read also" inserts, ads, newsletter and share boxes, tags, author bios,
related articles, comments, footers.

Pages are written by hand-crafted templates; each imitates the markup habits of one family of
news CMS (WordPress news themes, Arc XP, a French regional daily, a Spanish-language Miami
daily, a bespoke small-outlet CMS, Drupal, Google AMP, a paywalled page whose full text is only
in JSON-LD, a Next.js site with CSS-module class names).
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_MIN, TARGET_MAX = 50_000, 60_000

# --------------------------------------------------------------------------- word banks

NAMES = {
    "fr": ["Martine Vassal", "Jean-Luc Fabre", "Sophie Camard", "Didier Parakian", "Laure Agostini",
           "Karim Benali", "Hélène Roux", "Pierre-Yves Marchetti", "Nadia Ouali", "Thomas Guérin",
           "Claire Dumont", "Olivier Santini", "Fatima Haddad", "Lucas Moreau", "Isabelle Ferracci"],
    "en": ["Carlos Gimenez", "Daniella Levine Cava", "Michael Rivera", "Sarah Thompson", "Juan Perez",
           "Emily Chen", "Robert Diaz", "Alicia Morgan", "David Kessler", "Maria Santos",
           "Kevin O'Brien", "Laura Whitfield", "James Holloway", "Rachel Adler", "Tomas Alvarez"],
    "es": ["Carlos Giménez", "Lourdes Martínez", "Andrés Fernández", "Isabel Rojas", "Raúl Cabrera",
           "Mónica Herrera", "Jorge Villalobos", "Ana Lucía Torres", "Ernesto Pardo", "Gabriela Suárez",
           "Luis Alberto Núñez", "Patricia Ortega", "Manuel Esquivel", "Daniela Castro", "Rafael Ibarra"],
}
ROLES = {
    "fr": ["présidente de la Métropole", "adjoint au maire chargé du port", "directrice de l'office de tourisme",
           "président de la CCI", "conseillère métropolitaine", "délégué à l'économie", "porte-parole du Grand Port",
           "directeur d'Euroméditerranée", "élue d'opposition", "chef d'entreprise"],
    "en": ["Miami-Dade County mayor", "PortMiami director", "county commissioner", "tourism bureau president",
           "chamber of commerce chair", "city planner", "economic development director", "cruise line executive",
           "local business owner", "state representative"],
    "es": ["alcalde del condado Miami-Dade", "directora de PortMiami", "comisionado del condado",
           "presidenta de la oficina de turismo", "empresario local", "concejal de la ciudad",
           "directora de desarrollo económico", "ejecutivo de una naviera", "portavoz municipal", "economista"],
}
PLACES = {
    "fr": ["La Joliette", "l'Estaque", "Aix-en-Provence", "Aubagne", "La Ciotat", "Martigues", "Saint-Henri",
           "Arenc", "la Belle de Mai", "Vitrolles", "Istres", "Marignane", "Castellane", "Noailles"],
    "en": ["Brickell", "Wynwood", "Little Havana", "Doral", "Hialeah", "Coral Gables", "Miami Beach",
           "Homestead", "Kendall", "Overtown", "Key Biscayne", "Dodge Island", "Allapattah", "Edgewater"],
    "es": ["Brickell", "la Pequeña Habana", "Doral", "Hialeah", "Coral Gables", "Miami Beach", "Homestead",
           "Kendall", "Westchester", "Isla Dodge", "Sweetwater", "Allapattah", "Wynwood", "Little Haiti"],
}
SUBJECTS = {
    "fr": ["le terminal de croisière", "le tramway", "la délégation métropolitaine", "le jumelage avec Miami",
           "la rénovation des écoles", "le festival de jazz", "le budget métropolitain", "la ligne de bus à haut niveau de service",
           "le chantier du boulevard urbain", "la zone d'activités", "le plan climat", "la réhabilitation du quartier",
           "l'accord de coopération", "le salon nautique", "le projet d'incubateur"],
    "en": ["the cruise terminal", "the Metrorail extension", "the French delegation", "the sister-city agreement",
           "the school renovation plan", "the jazz festival", "the county budget", "the rapid bus line",
           "the waterfront project", "the new business district", "the climate resilience plan", "the housing program",
           "the cooperation agreement", "the boat show", "the startup incubator"],
    "es": ["la terminal de cruceros", "la ampliación del Metrorail", "la delegación francesa", "el acuerdo de ciudades hermanas",
           "el plan de renovación escolar", "el festival de jazz", "el presupuesto del condado", "la nueva línea de autobuses",
           "el proyecto del litoral", "el nuevo distrito de negocios", "el plan de resiliencia climática", "el programa de vivienda",
           "el acuerdo de cooperación", "el salón náutico", "la incubadora de empresas"],
}
MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre", "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "September", "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "septiembre", "octubre", "noviembre", "diciembre"],
}

SENTENCES = {
    "fr": [
        "Le dossier de {subj} revient sur la table ce {day}, après plusieurs mois de discussions entre les élus et les services techniques.",
        "Selon les chiffres communiqués par la collectivité, près de {n} millions d'euros seront mobilisés d'ici {year}.",
        "À {place}, les riverains attendent depuis longtemps des réponses concrètes sur le calendrier des travaux.",
        "{person}, {role}, a défendu un projet « ambitieux mais réaliste » devant une salle comble.",
        "La première phase devrait démarrer au printemps, si les derniers recours sont levés d'ici là.",
        "Les commerçants du secteur redoutent de nouvelles perturbations, eux qui ont déjà subi deux années de chantier.",
        "Dans l'opposition, on dénonce un calendrier « intenable » et un manque de concertation avec les habitants.",
        "Le rapport remis en {month} pointait déjà un retard de {n2} mois sur les prévisions initiales.",
        "La délégation a rencontré les responsables du port de Miami pour évoquer la croisière, la logistique et l'innovation.",
        "Un accord de coopération doit être signé avant la fin de la visite, a confirmé l'entourage de {person}.",
        "Les entreprises de la région voient dans ce rapprochement une occasion d'ouvrir de nouveaux marchés outre-Atlantique.",
        "Pour {person}, l'enjeu est d'abord économique : « Nos deux territoires partagent la mer, le port et le soleil. »",
        "Le trafic de passagers a progressé de {n2} % sur un an, porté par l'arrivée de nouveaux navires.",
        "Les associations de quartier demandent que les habitants de {place} soient associés aux prochaines étapes.",
        "Une réunion publique est programmée le {dnum} {month} à la mairie de secteur, à partir de 18 heures.",
        "Les services de l'État suivent le dossier de près, notamment sur les questions de qualité de l'air.",
        "Le conseil métropolitain a adopté la délibération à une large majorité, malgré l'abstention de plusieurs élus.",
        "Il s'agit, selon l'exécutif, du plus important investissement consenti sur ce territoire depuis une décennie.",
        "Sur le terrain, les premiers engins sont attendus dès la rentrée, a précisé le maître d'ouvrage.",
        "Les syndicats réclament des garanties sur l'emploi local et sur les conditions de travail des dockers.",
        "Ce partenariat doit aussi favoriser les échanges universitaires et culturels entre les deux villes.",
        "La fréquentation touristique a atteint un niveau record cet été, avec plus de {n} millions de visiteurs.",
        "Les hôteliers se disent prudents, tout en saluant une saison « au-delà des espérances ».",
        "Le projet prévoit aussi la création de {n3} logements, dont un tiers de logements sociaux.",
        "À terme, la ligne desservira {place} en moins de vingt minutes depuis le centre-ville.",
        "Plusieurs élus ont rappelé que les précédentes promesses n'avaient pas été tenues.",
        "« Nous ne lâcherons rien », a lancé {person} à l'issue de la séance, sous les applaudissements.",
        "L'enquête publique a recueilli plus de {n3} contributions, un chiffre inhabituel pour ce type de dossier.",
        "Le montage financier associe la Région, le Département et des fonds européens.",
        "Les premiers résultats seront présentés lors du prochain conseil, prévu en {month}.",
        "Les pêcheurs du port, eux, s'inquiètent des conséquences sur leur activité et sur la qualité de l'eau.",
        "La municipalité assure que les nuisances seront limitées et que la circulation sera maintenue.",
        "Un comité de suivi réunira chaque trimestre les acteurs économiques et les représentants des habitants.",
        "Dans les rues de {place}, l'annonce a été accueillie avec un mélange d'espoir et de scepticisme.",
        "Le chantier représente à lui seul près de {n3} emplois directs pendant toute sa durée.",
        "Les start-up marseillaises présentes dans la délégation ont multiplié les rendez-vous avec des investisseurs.",
    ],
    "en": [
        "The debate over {subj} returned to the commission agenda on {day}, after months of negotiations with county staff.",
        "According to figures released by the county, roughly ${n} million will be committed by {year}.",
        "Residents of {place} have waited years for a clear timeline on the construction work.",
        "{person}, the {role}, called the plan \"ambitious but realistic\" in front of a packed room.",
        "The first phase is expected to begin in the spring if the remaining legal challenges are resolved.",
        "Business owners in the area worry about new disruptions after two years of roadwork.",
        "Critics on the commission called the schedule \"unworkable\" and said residents had not been consulted.",
        "A report released in {month} had already flagged a {n2}-month delay compared with the original estimates.",
        "The French delegation met with PortMiami officials to discuss cruise traffic, logistics and innovation.",
        "A cooperation agreement is expected to be signed before the end of the visit, a spokesperson for {person} said.",
        "Local companies see the partnership as a way to open new markets on the other side of the Atlantic.",
        "For {person}, the stakes are mainly economic: \"Our two regions share the sea, the port and the sunshine.\"",
        "Passenger traffic grew {n2} percent over the past year, driven by the arrival of larger ships.",
        "Neighborhood associations want residents of {place} to have a say in the next steps.",
        "A public meeting is scheduled for {month} {dnum} at the district office, starting at 6 p.m.",
        "State regulators are following the project closely, particularly on air quality and flooding.",
        "Commissioners approved the measure by a wide margin, although several members abstained.",
        "County officials described it as the largest investment in the area in more than a decade.",
        "Heavy equipment is expected on site by the end of summer, the project manager said.",
        "Union leaders are demanding guarantees on local hiring and working conditions at the port.",
        "The partnership is also meant to encourage university and cultural exchanges between the two cities.",
        "Tourism reached a record level this summer, with more than {n} million visitors.",
        "Hotel operators remain cautious but described the season as \"better than expected.\"",
        "The plan also calls for {n3} new housing units, a third of them set aside as affordable.",
        "Once finished, the line will connect {place} to downtown in less than twenty minutes.",
        "Several commissioners pointed out that earlier promises had not been kept.",
        "\"We are not giving up,\" {person} said after the vote, to applause from the audience.",
        "The public comment period drew more than {n3} submissions, an unusually high number for such a project.",
        "Funding comes from the state, the county and a federal infrastructure grant.",
        "Initial results will be presented at the next commission meeting in {month}.",
        "Fishermen at the marina worry about the effects on their business and on water quality.",
        "City officials say disruptions will be limited and that traffic lanes will remain open.",
        "A monitoring committee will bring together business groups and neighborhood representatives every quarter.",
        "On the streets of {place}, the announcement was met with a mix of hope and skepticism.",
        "The project alone will support about {n3} direct jobs during construction.",
        "Startups traveling with the delegation held a string of meetings with Miami investors.",
    ],
    "es": [
        "El debate sobre {subj} volvió a la agenda de la comisión el {day}, tras meses de negociaciones con el personal del condado.",
        "Según las cifras divulgadas por el condado, se destinarán cerca de {n} millones de dólares antes de {year}.",
        "Los vecinos de {place} esperan desde hace años un calendario claro para las obras.",
        "{person}, {role}, calificó el plan de \"ambicioso pero realista\" ante un salón repleto.",
        "La primera fase comenzaría en la primavera si se resuelven los últimos recursos judiciales.",
        "Los comerciantes de la zona temen nuevas interrupciones después de dos años de obras.",
        "Los críticos en la comisión tildaron el calendario de \"inviable\" y dijeron que no se consultó a los residentes.",
        "Un informe publicado en {month} ya advertía de un retraso de {n2} meses respecto a las previsiones iniciales.",
        "La delegación francesa se reunió con funcionarios de PortMiami para hablar de cruceros, logística e innovación.",
        "Se espera que un acuerdo de cooperación se firme antes del final de la visita, dijo un portavoz de {person}.",
        "Las empresas locales ven en la alianza una manera de abrir nuevos mercados al otro lado del Atlántico.",
        "Para {person}, lo que está en juego es sobre todo económico: \"Nuestras dos regiones comparten el mar, el puerto y el sol\".",
        "El tráfico de pasajeros creció un {n2} por ciento en el último año, impulsado por la llegada de barcos más grandes.",
        "Las asociaciones vecinales piden que los residentes de {place} participen en las próximas etapas.",
        "Una reunión pública está prevista para el {dnum} de {month} en la oficina del distrito, a partir de las 6 p.m.",
        "Los reguladores estatales siguen el proyecto de cerca, sobre todo en materia de calidad del aire e inundaciones.",
        "Los comisionados aprobaron la medida por amplia mayoría, aunque varios se abstuvieron.",
        "Los funcionarios del condado la describieron como la mayor inversión en la zona en más de una década.",
        "Se espera que la maquinaria pesada llegue a fines del verano, dijo el director del proyecto.",
        "Los sindicatos exigen garantías sobre la contratación local y las condiciones de trabajo en el puerto.",
        "La alianza también busca fomentar los intercambios universitarios y culturales entre ambas ciudades.",
        "El turismo alcanzó un nivel récord este verano, con más de {n} millones de visitantes.",
        "Los hoteleros se muestran prudentes, aunque describieron la temporada como \"mejor de lo esperado\".",
        "El plan también prevé {n3} nuevas viviendas, un tercio de ellas asequibles.",
        "Una vez terminada, la línea conectará {place} con el centro en menos de veinte minutos.",
        "Varios comisionados recordaron que las promesas anteriores no se habían cumplido.",
        "\"No vamos a rendirnos\", dijo {person} tras la votación, entre los aplausos del público.",
        "El periodo de comentarios públicos recibió más de {n3} aportes, una cifra inusual para este tipo de proyecto.",
        "El financiamiento proviene del estado, del condado y de una subvención federal de infraestructura.",
        "Los primeros resultados se presentarán en la próxima reunión de la comisión, en {month}.",
        "Los pescadores de la marina temen los efectos sobre su actividad y sobre la calidad del agua.",
        "Las autoridades municipales aseguran que las molestias serán limitadas y que el tráfico se mantendrá.",
        "Un comité de seguimiento reunirá cada trimestre a empresarios y representantes vecinales.",
        "En las calles de {place}, el anuncio fue recibido con una mezcla de esperanza y escepticismo.",
        "Solo el proyecto generará unos {n3} empleos directos durante la construcción.",
        "Las empresas emergentes que viajaron con la delegación sostuvieron varias reuniones con inversionistas de Miami.",
    ],
}
SUBHEADS = {
    "fr": ["Un calendrier serré", "Des inquiétudes persistantes", "Le port en première ligne", "Ce qui va changer",
           "Une coopération à construire", "L'opposition monte au créneau", "Des retombées attendues", "Prochaine étape"],
    "en": ["A tight schedule", "Lingering concerns", "The port on the front line", "What changes next",
           "Building a partnership", "Critics push back", "Expected benefits", "Next steps"],
    "es": ["Un calendario ajustado", "Preocupaciones persistentes", "El puerto en primera línea", "Lo que cambiará",
           "Una alianza por construir", "La oposición reacciona", "Beneficios esperados", "Próximos pasos"],
}
HEADLINES = {
    "fr": ["{subj} : les élus valident une nouvelle étape", "À {place}, {subj} divise les habitants",
           "Métropole : {person} défend {subj}", "{subj} : le calendrier enfin dévoilé",
           "Marseille-Miami : {subj} au cœur de la visite", "{subj} : ce qu'il faut retenir du conseil",
           "Pourquoi {subj} prend du retard à {place}", "{subj} : la délégation métropolitaine fait le point"],
    "en": ["Commissioners advance {subj} despite objections", "In {place}, {subj} splits residents",
           "{person} makes the case for {subj}", "County unveils timeline for {subj}",
           "Marseille visit puts {subj} in the spotlight", "What to know about {subj} after Tuesday's vote",
           "Why {subj} is running late in {place}", "French delegation weighs in on {subj}"],
    "es": ["La comisión aprueba {subj} pese a las objeciones", "En {place}, {subj} divide a los vecinos",
           "{person} defiende {subj}", "El condado presenta el calendario de {subj}",
           "La visita de Marsella pone el foco en {subj}", "Lo que hay que saber sobre {subj} tras la votación",
           "Por qué {subj} va con retraso en {place}", "La delegación francesa opina sobre {subj}"],
}
DEKS = {
    "fr": ["Après des mois d'attente, le projet franchit une étape décisive, mais les critiques ne désarment pas.",
           "Élus, habitants et acteurs économiques livrent leur lecture d'un dossier qui engage le territoire pour dix ans.",
           "La délégation conduite par {person} a multiplié les rencontres, avec un objectif : attirer les investisseurs."],
    "en": ["After months of delays, the project clears a key hurdle, but critics are not backing down.",
           "Officials, residents and business leaders weigh in on a plan that will shape the area for a decade.",
           "The delegation led by {person} held a series of meetings aimed at attracting investors."],
    "es": ["Tras meses de espera, el proyecto supera una etapa clave, pero los críticos no ceden.",
           "Funcionarios, vecinos y empresarios opinan sobre un plan que marcará la zona durante una década.",
           "La delegación encabezada por {person} sostuvo varias reuniones con el objetivo de atraer inversionistas."],
}
TEASERS = {
    "fr": ["Incendie dans les collines : {n3} hectares parcourus", "OM : les supporters mobilisés avant le match",
           "Mistral : vigilance orange sur le littoral", "Un nouveau marché bio ouvre ses portes",
           "Trafic perturbé sur l'A7 ce week-end", "Le festival de théâtre dévoile sa programmation",
           "Une école primaire fermée pour travaux", "Calanques : la fréquentation régulée cet été",
           "Les prix de l'immobilier repartent à la hausse", "Un chef étoilé s'installe sur le port",
           "La piscine municipale rouvre après deux ans", "Grève des transports : le point sur les lignes",
           "Un musée consacré à la Méditerranée en projet", "Basket : le club local accède aux play-offs"],
    "en": ["Brush fire closes lanes on the turnpike", "Heat advisory issued for South Florida",
           "New food hall opens downtown", "Dolphins make roster moves before Sunday",
           "School board approves later start times", "Art Basel week brings road closures",
           "Landlords raise rents again in Doral", "Hurricane season: what to stock up on",
           "Metromover service suspended this weekend", "Coral reef restoration gets new funding",
           "Local chef opens second restaurant", "Traffic alert: I-95 lanes closed overnight",
           "Condo inspection deadline approaches", "High school football: playoff scores"],
    "es": ["Incendio forestal cierra carriles en la autopista", "Alerta de calor para el sur de Florida",
           "Abre un nuevo mercado gastronómico en el centro", "Los Dolphins hacen cambios en la plantilla",
           "La junta escolar aprueba nuevo horario", "Cierres de calles por Art Basel",
           "Suben otra vez los alquileres en Doral", "Temporada de huracanes: qué comprar",
           "Suspenden el Metromover este fin de semana", "Fondos para restaurar los arrecifes",
           "Chef local abre su segundo restaurante", "Alerta de tránsito: cierres en la I-95",
           "Se acerca el plazo de inspección de condominios", "Fútbol escolar: resultados de los playoffs"],
}
COMMENTS = {
    "fr": ["Encore des promesses, on verra bien dans dix ans...", "Il serait temps de s'occuper des transports avant de voyager à Miami !",
           "Bravo pour cette initiative, enfin une vision pour le port.", "Qui paie le voyage ? Toujours les mêmes contribuables.",
           "J'habite le quartier depuis trente ans et personne ne nous a jamais demandé notre avis.",
           "Article intéressant, merci pour le suivi de ce dossier.", "Et la propreté des rues dans tout ça ?",
           "Les croisiéristes polluent l'air de tout le secteur, il faut le dire clairement."],
    "en": ["Another junket paid for by taxpayers.", "Fix the traffic on US-1 first, then talk about partnerships.",
           "Great news for the port, this will bring jobs.", "Who is paying for the trip? Just asking.",
           "I've lived here 30 years and nobody ever asks residents what they think.",
           "Thanks for covering this, nobody else does.", "What about flooding on our street every time it rains?",
           "Cruise ships are ruining the air quality downtown, plain and simple."],
    "es": ["Otro viaje pagado por los contribuyentes.", "Que arreglen el tráfico de la US-1 primero.",
           "Buenas noticias para el puerto, habrá empleos.", "¿Quién paga el viaje? Solo pregunto.",
           "Vivo aquí hace 30 años y nunca nos preguntan nada a los vecinos.",
           "Gracias por informar sobre esto.", "¿Y las inundaciones en mi calle cada vez que llueve?",
           "Los cruceros están arruinando el aire del centro, así de simple."],
}
UI = {
    "fr": dict(cookie="Nous utilisons des cookies pour améliorer votre expérience, mesurer l'audience et vous proposer des publicités personnalisées. Vous pouvez accepter, refuser ou paramétrer vos choix à tout moment.",
               accept="Tout accepter", refuse="Continuer sans accepter", settings="Paramétrer",
               readalso="À lire aussi", related="Sur le même sujet", mostread="Les plus lus", share="Partager",
               newsletter="Recevez chaque matin l'essentiel de l'actualité locale dans votre boîte mail.",
               subscribe="Je m'inscris", email="Votre adresse e-mail", comments="Commentaires", reply="Répondre",
               ad="Publicité", tags="Mots-clés", by="Par", published="Publié le", updated="Mis à jour le",
               copy="Copier le lien", credit="Photo", bio="Journaliste au service Métropole, couvre les transports et l'urbanisme.",
               paywall="Cet article est réservé aux abonnés. Abonnez-vous pour lire la suite à partir de 1 € le premier mois.",
               footer="Tous droits réservés. Toute reproduction interdite sans autorisation.",
               legal=["Mentions légales", "Politique de confidentialité", "Gestion des cookies", "Nous contacter", "Publicité", "CGU", "Plan du site", "Recrutement"],
               menu=["Accueil", "Marseille", "Aix-en-Provence", "Métropole", "Région", "Économie", "Politique", "Faits divers",
                     "Sports", "OM", "Culture", "Loisirs", "Environnement", "Santé", "Éducation", "Immobilier", "Emploi", "Vidéos",
                     "Podcasts", "Newsletters", "Annonces légales", "Avis de décès", "Météo", "Jeux", "Le journal numérique"],
               captions=["Les élus réunis lors de la séance du conseil métropolitain.", "Vue aérienne du port et des quais de la Joliette.",
                         "La délégation à son arrivée, lundi matin.", "Le chantier, photographié depuis le boulevard."]),
    "en": dict(cookie="We use cookies and similar technologies to improve your experience, analyze traffic and show you personalized ads. You can accept, reject or manage your preferences at any time.",
               accept="Accept all", refuse="Reject all", settings="Manage preferences",
               readalso="Read more", related="Related stories", mostread="Most read", share="Share",
               newsletter="Get the morning headlines delivered to your inbox every weekday.",
               subscribe="Sign up", email="Email address", comments="Comments", reply="Reply",
               ad="Advertisement", tags="Topics", by="By", published="Published", updated="Updated",
               copy="Copy link", credit="Photo", bio="Reporter covering Miami-Dade County government and transportation.",
               paywall="This story is available to subscribers only. Subscribe now for unlimited digital access, $1 for the first month.",
               footer="All rights reserved. Reproduction without permission is prohibited.",
               legal=["Terms of Service", "Privacy Policy", "Cookie Settings", "Contact Us", "Advertise", "Careers", "Site Map", "Accessibility"],
               menu=["Home", "Local News", "Miami-Dade", "Broward", "Politics", "Business", "Real Estate", "Crime",
                     "Sports", "Dolphins", "Heat", "Entertainment", "Food", "Weather", "Opinion", "Obituaries", "Jobs", "Video",
                     "Podcasts", "Newsletters", "Puzzles", "E-Edition", "Subscribe", "Contact", "Tip Line"],
               captions=["Commissioners during Tuesday's meeting at the Stephen P. Clark Center.", "An aerial view of PortMiami and the cruise terminals.",
                         "Members of the delegation arrive at the county building.", "Construction crews at work along Biscayne Boulevard."]),
    "es": dict(cookie="Utilizamos cookies y tecnologías similares para mejorar su experiencia, analizar el tráfico y mostrarle anuncios personalizados. Puede aceptar, rechazar o configurar sus preferencias.",
               accept="Aceptar todo", refuse="Rechazar", settings="Configurar",
               readalso="Lea también", related="Más información", mostread="Lo más leído", share="Compartir",
               newsletter="Reciba cada mañana los titulares de Miami en su correo electrónico.",
               subscribe="Suscribirse", email="Correo electrónico", comments="Comentarios", reply="Responder",
               ad="Publicidad", tags="Temas", by="Por", published="Publicado", updated="Actualizado",
               copy="Copiar enlace", credit="Foto", bio="Periodista que cubre el gobierno del condado Miami-Dade y el transporte.",
               paywall="Este artículo es exclusivo para suscriptores. Suscríbase ahora por solo $1 el primer mes.",
               footer="Todos los derechos reservados. Prohibida su reproducción sin autorización.",
               legal=["Términos de servicio", "Política de privacidad", "Configurar cookies", "Contáctenos", "Publicidad", "Empleos", "Mapa del sitio", "Accesibilidad"],
               menu=["Portada", "Sur de la Florida", "Miami-Dade", "Broward", "Cuba", "Venezuela", "América Latina", "Política",
                     "Negocios", "Deportes", "Entretenimiento", "Vida y Estilo", "Salud", "Opinión", "Clima", "Esquelas", "Empleos", "Videos",
                     "Podcasts", "Boletines", "Crucigramas", "Edición impresa", "Suscríbase", "Contacto", "Anuncios clasificados"],
               captions=["Los comisionados durante la sesión del martes en el centro de gobierno.", "Vista aérea de PortMiami y las terminales de cruceros.",
                         "Miembros de la delegación a su llegada al edificio del condado.", "Obreros trabajan en el bulevar Biscayne."]),
}
DAYS = {"fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
        "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        "es": ["lunes", "martes", "miércoles", "jueves", "viernes"]}


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def attr(s: str) -> str:
    return html.escape(s, quote=True)


class Article:
    """One article's content: headline, dek, paragraphs, subheads, people, dates."""

    def __init__(self, rng: random.Random, lang: str, idx: int):
        self.rng, self.lang, self.idx = rng, lang, idx
        self.person = rng.choice(NAMES[lang])
        self.author = rng.choice([n for n in NAMES[lang] if n != self.person])
        self.place = rng.choice(PLACES[lang])
        self.subj = rng.choice(SUBJECTS[lang])
        self.title = self.fill(rng.choice(HEADLINES[lang]))
        self.title = self.title[0].upper() + self.title[1:]
        self.dek = self.fill(rng.choice(DEKS[lang]))
        day, month = rng.randint(2, 27), rng.choice([3, 5, 6, 9, 10, 11])
        hour, minute = rng.randint(6, 21), rng.randint(0, 59)
        self.date = (2017, month, day, hour, minute)
        # Offsets follow daylight saving time closely enough (November to March: standard time).
        tz = {"fr": ("+01:00", "+02:00"), "en": ("-05:00", "-04:00"), "es": ("-05:00", "-04:00")}[lang][month in (5, 6, 9, 10)]
        self.tz = tz
        self.published = f"2017-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00{tz}"
        mh = min(hour + rng.randint(1, 2), 23)
        self.modified = f"2017-{month:02d}-{day:02d}T{mh:02d}:{rng.randint(0, 59):02d}:00{tz}"
        self.blocks = self.make_blocks(rng.randint(9, 15))

    def fill(self, s: str) -> str:
        r = self.rng
        return s.format(
            subj=self.subj, place=self.place, person=self.person,
            role=r.choice(ROLES[self.lang]), n=r.randint(2, 900), n2=r.randint(3, 40),
            n3=r.randint(40, 2500), year=r.choice([2019, 2020, 2021, 2022, 2024]),
            month=r.choice(MONTHS[self.lang]), dnum=r.randint(1, 28), day=r.choice(DAYS[self.lang]))

    def make_blocks(self, n_par: int) -> list[tuple[str, str]]:
        r = self.rng
        pool = SENTENCES[self.lang][:]
        r.shuffle(pool)
        blocks: list[tuple[str, str]] = []
        heads = r.sample(SUBHEADS[self.lang], 3)
        for i in range(n_par):
            if i in (4, 9) and heads:
                blocks.append(("h2", heads.pop()))
            k = r.randint(2, 4)
            sents = []
            for _ in range(k):
                if not pool:
                    pool = SENTENCES[self.lang][:]
                    r.shuffle(pool)
                sents.append(self.fill(pool.pop()))
            kind = "quote" if i == 6 and r.random() < 0.5 else "p"
            blocks.append((kind, " ".join(sents)))
        return blocks

    def truth_text(self, with_dek: bool = True) -> str:
        parts = ([self.dek] if with_dek else []) + [t for _, t in self.blocks]
        return "\n\n".join(parts)

    def url_slug(self) -> str:
        import re
        import unicodedata
        s = unicodedata.normalize("NFKD", self.title).encode("ascii", "ignore").decode().lower()
        return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:80]

    def human_date(self) -> str:
        y, m, d, h, mi = self.date
        if self.lang == "fr":
            return f"{d} {MONTHS['fr'][[1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12].index(m)] if m != 8 else 'août'} {y} à {h}h{mi:02d}"
        if self.lang == "es":
            return f"{d} de {MONTHS['es'][[1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12].index(m)]} de {y}, {h}:{mi:02d}"
        mon = MONTHS["en"][[1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12].index(m)]
        return f"{mon} {d}, {y} {(h - 1) % 12 + 1}:{mi:02d} {'AM' if h < 12 else 'PM'}"


# --------------------------------------------------------------------------- chrome helpers

def css_blob(rng: random.Random, prefix: str, n: int) -> str:
    props = ["margin:0", "padding:0 16px", "display:flex", "font-size:1.125rem", "line-height:1.6",
             "color:#1a1a1a", "background:#fff", "border-bottom:1px solid #e5e5e5", "font-weight:700",
             "text-transform:uppercase", "letter-spacing:.02em", "max-width:1200px", "position:relative",
             "grid-template-columns:repeat(12,1fr)", "gap:24px", "transition:opacity .2s ease-in-out"]
    parts = ["body", "header", "nav", "main", "article", "aside", "footer", "figure", "figcaption", "h1", "h2", "p", "a", "ul", "li"]
    rules = []
    for i in range(n):
        sel = f".{prefix}-{rng.choice(parts)}{'' if rng.random() < .5 else '__' + rng.choice(parts)}-{i % 37}"
        if rng.random() < .2:
            sel = f"@media (min-width:{rng.choice([768, 1024, 1280])}px){{{sel}"
            rules.append(sel + "{" + ";".join(rng.sample(props, 3)) + "}}")
        else:
            rules.append(sel + "{" + ";".join(rng.sample(props, rng.randint(2, 5))) + "}")
    return "\n".join(rules)


def js_blob(rng: random.Random, n: int) -> str:
    keys = ["adUnit", "slotId", "sizes", "targeting", "lazyLoad", "refresh", "section", "keywords",
            "pageType", "subscriberStatus", "paywallMeter", "abTest", "consentVersion", "cdn"]
    cfg = [{rng.choice(keys): rng.choice([True, False, rng.randint(1, 9999), f"/{rng.randint(1000, 9999)}/news_{i}", [300, 250]])
            for _ in range(4)} for i in range(n)]
    return ("window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
            "gtag('js',new Date());gtag('config','G-" + "".join(rng.choice("ABCDEFGHJK0123456789") for _ in range(10)) + "');\n"
            "window.__AD_CONFIG__=" + json.dumps(cfg, separators=(",", ":")) + ";\n"
            "(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});"
            "var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
            "j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-XXXX');")


def menu_html(ui, rng, host, cls="menu", sub=True) -> str:
    items = []
    for m in ui["menu"]:
        slug = m.lower().replace(" ", "-")
        li = f'<li class="{cls}-item"><a href="https://{host}/{attr(slug)}/">{esc(m)}</a>'
        if sub and rng.random() < 0.3:
            li += f'<ul class="sub-{cls}">' + "".join(
                f'<li><a href="https://{host}/{attr(slug)}/{k}/">{esc(p)}</a></li>'
                for k, p in enumerate(rng.sample(PLACES["fr" if ui is UI["fr"] else "en"], 4))) + "</ul>"
        items.append(li + "</li>")
    return f'<ul class="{cls}">' + "".join(items) + "</ul>"


def teaser_list(ui, rng, lang, host, n, cls="related", with_summary=True) -> str:
    out = []
    for t in rng.sample(TEASERS[lang], n):
        t = t.format(n3=rng.randint(40, 900))
        summ = ""
        if with_summary:
            summ = f'<p class="{cls}__summary">{esc(rng.choice(DEKS[lang]).format(person=rng.choice(NAMES[lang])))}</p>'
        out.append(f'<li class="{cls}__item"><a href="https://{host}/news/{rng.randint(10**6, 10**7)}/">'
                   f'<img src="https://{host}/img/{rng.randint(1000, 9999)}.jpg" alt=""><h3 class="{cls}__title">{esc(t)}</h3></a>{summ}</li>')
    return "".join(out)


def comments_html(ui, rng, lang, n, item="li") -> str:
    out = []
    for c in rng.sample(COMMENTS[lang], n):
        user = rng.choice(["marseillais13", "jdupont", "miamidade_voter", "la_vecina", "Capitaine_Port", "sunny305", "Pierrot", "Ana_G"])
        out.append(f'<{item} class="comment"><div class="comment-author"><b>{user}</b> <span class="comment-date">il y a {rng.randint(1, 9)} h</span></div>'
                   f'<div class="comment-content"><p>{esc(c)}</p></div><a class="reply" href="#">{ui["reply"]}</a></{item}>')
    return "".join(out)


def share_html(ui, cls="share") -> str:
    return (f'<div class="{cls}"><span>{ui["share"]}</span><a href="#" class="{cls}-facebook">Facebook</a>'
            f'<a href="#" class="{cls}-twitter">Twitter</a><a href="#" class="{cls}-whatsapp">WhatsApp</a>'
            f'<a href="#" class="{cls}-email">E-mail</a><button class="{cls}-copy">{ui["copy"]}</button></div>')


def newsletter_html(ui, cls="newsletter") -> str:
    return (f'<div class="{cls}"><p class="{cls}__title">Newsletter</p><p>{ui["newsletter"]}</p>'
            f'<form><input type="email" placeholder="{ui["email"]}"><button>{ui["subscribe"]}</button></form></div>')


def cookie_html(ui, cls="cookie-banner") -> str:
    return (f'<div id="{cls}" class="{cls}" role="dialog"><p>{ui["cookie"]}</p>'
            f'<button>{ui["accept"]}</button><button>{ui["refuse"]}</button><a href="#">{ui["settings"]}</a></div>')


def footer_html(ui, rng, host, site) -> str:
    cols = []
    for _ in range(4):
        links = "".join(f'<li><a href="https://{host}/{esc(m.lower())}/">{esc(m)}</a></li>' for m in rng.sample(ui["menu"], 7))
        cols.append(f'<div class="footer-col"><ul>{links}</ul></div>')
    legal = "".join(f'<a href="https://{host}/p/{k}">{esc(x)}</a> ' for k, x in enumerate(ui["legal"]))
    return f'<footer class="site-footer">{"".join(cols)}<div class="legal">{legal}</div><p>© 2017 {esc(site)}. {ui["footer"]}</p></footer>'


def jsonld(obj) -> str:
    return '<script type="application/ld+json">' + json.dumps(obj, ensure_ascii=False).replace("</", "<\\/") + "</script>"


def news_ld(a: Article, url, site, image, *, body=None, lang=None, author_list=False):
    d = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
         "datePublished": a.published, "dateModified": a.modified,
         "author": [{"@type": "Person", "name": a.author}] if author_list else {"@type": "Person", "name": a.author},
         "publisher": {"@type": "Organization", "name": site, "logo": {"@type": "ImageObject", "url": image}},
         "image": [image], "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "description": a.dek}
    if lang:
        d["inLanguage"] = lang
    if body is not None:
        d["articleBody"] = body
    return d


def pad(html_doc: str, rng: random.Random, marker: str = "<!--PAD-->") -> str:
    """Fill the page to a real news page's size with inline CSS/JS, as real pages carry."""
    size = len(html_doc.encode("utf-8"))
    target = rng.randint(TARGET_MIN + 2000, TARGET_MAX - 3000)
    chunks = []
    while size < target:
        if rng.random() < .5:
            c = f'<style>{css_blob(rng, rng.choice(["c", "o", "wp", "ui"]), 40)}</style>'
        else:
            c = f"<script>{js_blob(rng, 12)}</script>"
        chunks.append(c)
        size += len(c.encode())
    doc = html_doc.replace(marker, "\n".join(chunks), 1)
    while len(doc.encode("utf-8")) > TARGET_MAX and chunks:
        chunks.pop()
        doc = html_doc.replace(marker, "\n".join(chunks), 1)
    return doc


def head_common(a: Article, url, site, image, title_tag, extra="", og=True, lang_og="fr_FR") -> str:
    h = [f'<meta name="viewport" content="width=device-width, initial-scale=1">',
         f"<title>{esc(title_tag)}</title>",
         f'<meta name="description" content="{attr(a.dek)}">']
    if og:
        h += [f'<meta property="og:type" content="article">', f'<meta property="og:title" content="{attr(a.title)}">',
              f'<meta property="og:description" content="{attr(a.dek)}">', f'<meta property="og:url" content="{attr(url)}">',
              f'<meta property="og:image" content="{attr(image)}">', f'<meta property="og:site_name" content="{attr(site)}">',
              f'<meta property="og:locale" content="{lang_og}">',
              f'<meta name="twitter:card" content="summary_large_image">', f'<meta name="twitter:title" content="{attr(a.title)}">']
    h += [f'<link rel="preconnect" href="https://cdn.example-{site.lower().replace(" ", "")}.com">',
          '<link rel="stylesheet" href="/assets/main.css?v=3.4.1">', '<link rel="icon" href="/favicon.ico">', extra]
    return "\n".join(h)


def insert_at(blocks_html: list[str], rng: random.Random, items: list[str]) -> list[str]:
    out = blocks_html[:]
    for it in items:
        pos = rng.randint(2, max(2, len(out) - 2))
        out.insert(pos, it)
    return out


# --------------------------------------------------------------------------- templates
# Each returns (html, truth dict fields).

def t_wordpress(rng, a: Article, site, host):
    lang = a.lang
    ui = UI[lang]
    url = f"https://{host}/{a.date[0]}/{a.date[1]:02d}/{a.date[2]:02d}/{a.url_slug()}/"
    img = f"https://{host}/wp-content/uploads/2017/{a.date[1]:02d}/photo-{rng.randint(100, 999)}-1024x683.jpg"
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": f"https://{host}/#website", "url": f"https://{host}/", "name": site},
        {"@type": "WebPage", "@id": url, "url": url, "name": a.title + " - " + site},
        {"@type": "NewsArticle", "@id": url + "#article", "headline": a.title, "datePublished": a.published,
         "dateModified": a.modified, "author": {"@type": "Person", "name": a.author}, "isPartOf": {"@id": url}},
    ]}
    head = head_common(a, url, site, img, f"{a.title} - {site}", lang_og={"fr": "fr_FR", "en": "en_US", "es": "es_ES"}[lang],
                       extra=f'<link rel="canonical" href="{url}">\n<meta property="article:published_time" content="{a.published}">\n'
                             f'<meta property="article:modified_time" content="{a.modified}">\n' + jsonld(graph))
    body = []
    for kind, t in a.blocks:
        if kind == "h2":
            body.append(f"<h2>{esc(t)}</h2>")
        elif kind == "quote":
            body.append(f"<blockquote class=\"wp-block-quote\"><p>{esc(t)}</p></blockquote>")
        else:
            body.append(f"<p>{esc(t)}</p>")
    rel = rng.choice(TEASERS[lang]).format(n3=rng.randint(40, 900))
    inserts = [
        f'<p><strong>{ui["readalso"]} :</strong> <a href="https://{host}/actu/{rng.randint(1000, 9999)}/">{esc(rel)}</a></p>',
        f'<figure id="attachment_{rng.randint(1000, 9999)}" class="wp-caption aligncenter"><img src="{img}" alt="" width="1024" height="683">'
        f'<figcaption class="wp-caption-text">{esc(rng.choice(ui["captions"]))} {ui["credit"]} : {esc(rng.choice(NAMES[lang]))}</figcaption></figure>',
        f'<div class="code-block code-block-3" style="margin: 8px auto; text-align: center;"><span class="ad-label">{ui["ad"]}</span>'
        f'<ins class="adsbygoogle" data-ad-client="ca-pub-123" data-ad-slot="{rng.randint(10**6, 10**7)}"></ins></div>',
    ]
    body = insert_at(body, rng, inserts)
    body.append(f'<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social"><h3 class="sd-title">{ui["share"]} :</h3>'
                f'<div class="sd-content"><ul><li class="share-facebook"><a href="#">Facebook</a></li><li class="share-twitter"><a href="#">Twitter</a></li>'
                f'<li class="share-email"><a href="#">E-mail</a></li></ul></div></div></div>')
    body.append(f'<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>{ui["related"]}</em></h3>'
                f'<ul>{teaser_list(ui, rng, lang, host, 3, "jp-relatedposts-post", False)}</ul></div>')
    doc = f"""<!DOCTYPE html>
<html lang="{ {'fr': 'fr-FR', 'en': 'en-US', 'es': 'es-ES'}[lang] }">
<head>
<meta charset="UTF-8">
{head}
<!--PAD-->
<link rel='stylesheet' id='wp-block-library-css' href='https://{host}/wp-includes/css/dist/block-library/style.min.css?ver=4.9.1' type='text/css' media='all' />
</head>
<body class="post-template-default single single-post postid-{rng.randint(1000, 99999)} single-format-standard">
{cookie_html(ui, "cookie-law-info-bar")}
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="https://{host}/" rel="home">{esc(site)}</a></p>
<p class="site-description">{esc(rng.choice(DEKS[lang]).format(person=site))}</p></div>
<nav id="site-navigation" class="main-navigation">{menu_html(ui, rng, host, "menu")}</nav></header>
<div class="breaking-news-ticker"><span>Breaking</span><ul>{teaser_list(ui, rng, lang, host, 3, "ticker", False)}</ul></div>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-{rng.randint(1000, 99999)}" class="post type-post status-publish format-standard has-post-thumbnail hentry category-actualites">
<header class="entry-header"><span class="cat-links"><a href="https://{host}/category/actualites/" rel="category tag">{esc(ui['menu'][2])}</a></span>
<h1 class="entry-title">{esc(a.title)}</h1>
<div class="entry-meta"><span class="posted-on"><a href="{url}" rel="bookmark"><time class="entry-date published" datetime="{a.published}">{esc(a.human_date())}</time></a></span>
<span class="byline"> {ui['by']} <span class="author vcard"><a class="url fn n" href="https://{host}/author/{rng.randint(1, 40)}/">{esc(a.author)}</a></span></span></div>
</header>
<div class="post-thumbnail"><img src="{img}" class="attachment-post-thumbnail wp-post-image" alt=""></div>
<div class="entry-content">
<p class="chapo"><strong>{esc(a.dek)}</strong></p>
{"".join(body)}
</div>
<footer class="entry-footer"><span class="tags-links">{ui['tags']} : <a href="#" rel="tag">Marseille</a>, <a href="#" rel="tag">Miami</a>, <a href="#" rel="tag">{esc(a.subj)}</a></span></footer>
<div class="author-info"><h2 class="author-title">{esc(a.author)}</h2><p class="author-bio">{ui['bio']}</p></div>
</article>
<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous"><a href="#" rel="prev">{esc(rng.choice(TEASERS[lang]).format(n3=12))}</a></div><div class="nav-next"><a href="#" rel="next">{esc(rng.choice(TEASERS[lang]).format(n3=77))}</a></div></div></nav>
<div id="comments" class="comments-area"><h2 class="comments-title">{rng.randint(3, 8)} {ui['comments']}</h2><ol class="comment-list">{comments_html(ui, rng, lang, rng.randint(3, 6))}</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Laisser un commentaire</h3><form><textarea name="comment"></textarea><input type="submit" value="Publier"></form></div></div>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2 class="widget-title">{ui['mostread']}</h2><ul>{teaser_list(ui, rng, lang, host, 5, "recent", False)}</ul></section>
<section class="widget widget_text">{newsletter_html(ui, "mc4wp-form")}</section></aside>
</div>
{footer_html(ui, rng, host, site)}
</div>
<script type='text/javascript' src='https://{host}/wp-includes/js/wp-embed.min.js?ver=4.9.1'></script>
</body></html>"""
    return doc, dict(text=a.truth_text(), published=a.published)


def t_arc(rng, a: Article, site, host):
    lang, ui = a.lang, UI[a.lang]
    path = f"/local/{a.date[0]}/{a.date[1]:02d}/{a.date[2]:02d}/{a.url_slug()}/"
    url = f"https://{host}{path}"
    img = f"https://{host}/resizer/{rng.randint(10**8, 10**9)}/arc-anglerfish/{rng.randint(1000, 9999)}.jpg"
    global_content = {"_id": "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26)),
                      "type": "story", "headlines": {"basic": a.title}, "subheadlines": {"basic": a.dek},
                      "content_elements": [{"type": "text", "content": t} for _, t in a.blocks[:3]],
                      "taxonomy": {"sections": [{"name": "Local"}]}, "display_date": a.published}
    head = head_common(a, url, site, img, f"{a.title} - {site}", lang_og="en_US",
                       extra=f'<link rel="canonical" href="{path}">\n<meta name="article:published_time" property="article:published_time" content="{a.published}">\n'
                             f'<meta name="author" content="{attr(a.author)}">\n' + jsonld(news_ld(a, url, site, img, author_list=True)))
    body = []
    for i, (kind, t) in enumerate(a.blocks):
        if kind == "h2":
            body.append(f'<h3 class="font--subhead font-bold" data-qa="subheadline">{esc(t)}</h3>')
        else:
            body.append(f'<div class="article-body" data-qa="article-body"><p class="font--body font-copy gray-darkest ma-0 pb-md" data-el="text" dir="null">{esc(t)}</p></div>')
    ins = [
        f'<div class="interstitial-link" data-qa="interstitial-link"><span class="font-bold">{ui["readalso"].upper()}:</span> <a href="https://{host}/local/{rng.randint(10**6, 10**7)}/"><span>{esc(rng.choice(TEASERS[lang]).format(n3=55))}</span></a></div>',
        f'<div class="dn-ns hide-for-print" data-qa="article-body-ad"><div class="ad-slot ad-inline" data-ad-type="inline"><span class="ad-label">{ui["ad"]}</span></div></div>',
        f'<figure class="mw-100 mb-md" data-qa="inline-image"><img src="{img}" alt=""><figcaption class="pb-xs font--meta-text lh-sm gray-dark" data-qa="caption">'
        f'{esc(rng.choice(ui["captions"]))} <span class="credit">({esc(rng.choice(NAMES[lang]))}/{esc(site)})</span></figcaption></figure>',
        f'<div class="ad-slot ad-inline" data-qa="article-body-ad"><span class="ad-label">{ui["ad"]}</span><div id="slug_inline_bb_{rng.randint(1, 9)}"></div></div>',
        f'<div class="newsletter-inline" data-qa="newsletter-signup"><h4>The Morning Brief</h4>{newsletter_html(ui, "nl-inline")}</div>',
    ]
    body = insert_at(body, rng, ins)
    doc = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
{head}
<!--PAD-->
<script id="fusion-metadata" type="application/javascript">window.Fusion=window.Fusion||{{}};Fusion.arcSite="{host.split('.')[1]}";Fusion.deployment="{rng.randint(100, 999)}";Fusion.globalContent={json.dumps(global_content)};Fusion.globalContentConfig={{"source":"content-api","query":{{"website_url":"{path}"}}}};</script>
</head><body>
<div id="fusion-app" class="layout-section">
{cookie_html(ui, "onetrust-banner-sdk")}
<header class="site-header" data-qa="site-header"><div class="skip-link"><a href="#main-content">Skip to main content</a></div>
<div class="brand-logo"><a href="https://{host}/">{esc(site)}</a></div>
<nav class="sections-nav" aria-label="Sections">{menu_html(ui, rng, host, "nav-menu")}</nav>
<div class="header-subscribe"><a href="https://{host}/subscribe/">Subscribe</a><a href="https://{host}/login/">Sign in</a></div></header>
<div class="ad-slot ad-leaderboard"><span class="ad-label">{ui['ad']}</span></div>
<main id="main-content"><article class="story-article" data-qa="main">
<div class="headline-kicker"><a href="https://{host}/local/">Local</a></div>
<h1 class="font--headline" data-qa="headline" id="main-content-headline"><span data-qa="headline-text">{esc(a.title)}</span></h1>
<h2 class="font--subhead subheadline" data-qa="subheadline">{esc(a.dek)}</h2>
<div class="byline" data-qa="author-name">{ui['by']} <a href="https://{host}/people/{rng.randint(1, 99)}/" rel="author">{esc(a.author)}</a></div>
<div class="display-date" data-qa="display-date"><span>{esc(a.human_date())} EST</span></div>
{share_html(ui, "social-tools")}
<figure class="lead-art"><img src="{img}" alt=""><figcaption data-qa="caption">{esc(rng.choice(ui['captions']))} ({ui['credit']}: {esc(rng.choice(NAMES[lang]))})</figcaption></figure>
<div class="grid-body">
{"".join(body)}
</div>
<div class="tags" data-qa="tags"><span>{ui['tags']}:</span> <a href="#">Miami-Dade County</a> <a href="#">PortMiami</a> <a href="#">Marseille</a></div>
<div class="author-bio" data-qa="author-bio"><b>{esc(a.author)}</b> <p>{ui['bio']}</p></div>
</article>
<section class="related-content" data-qa="related"><h2>{ui['related']}</h2><ul>{teaser_list(ui, rng, lang, host, 6, "rel")}</ul></section>
<section class="comments-section" data-qa="comments"><h2>{ui['comments']}</h2><ul>{comments_html(ui, rng, lang, rng.randint(3, 5))}</ul></section>
<aside class="right-rail"><h2>{ui['mostread']}</h2><ol>{teaser_list(ui, rng, lang, host, 5, "mostread", False)}</ol><div class="ad-slot ad-bigbox"><span class="ad-label">{ui['ad']}</span></div></aside>
</main>
{footer_html(ui, rng, host, site)}
</div></body></html>"""
    return doc, dict(text=a.truth_text(), published=a.published)


def t_fr_regional(rng, a: Article, site, host):
    lang, ui = a.lang, UI[a.lang]
    aid = rng.randint(10**6, 10**7)
    url = f"https://www.{host}/{rng.choice(['marseille', 'aix-en-provence', 'economie', 'politique'])}/{aid}/{a.url_slug()}"
    img = f"https://www.{host}/media/{aid}/1200x630.jpg"
    ld = news_ld(a, url, site, img, lang="fr-FR")
    ld["isAccessibleForFree"] = True
    ld_list = [ld, {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "Accueil", "item": f"https://www.{host}/"},
        {"@type": "ListItem", "position": 2, "name": "Marseille", "item": f"https://www.{host}/marseille"}]}]
    head = head_common(a, url, site, img, f"{a.title} | {site}", lang_og="fr_FR",
                       extra=f'<link rel="canonical" href="{url}">\n<meta property="article:published_time" content="{a.published}">\n' + jsonld(ld_list))
    body = []
    for kind, t in a.blocks:
        if kind == "h2":
            body.append(f'<h2 class="article-full__intertitle">{esc(t)}</h2>')
        elif kind == "quote":
            body.append(f'<blockquote class="article-full__quote"><p>{esc(t)}</p></blockquote>')
        else:
            body.append(f'<p class="article-full__paragraph">{esc(t)}</p>')
    ins = [
        f'<aside class="read-also"><span class="read-also__label">{ui["readalso"]}</span><ul>'
        f'<li><a href="https://www.{host}/marseille/{rng.randint(10**6, 10**7)}/x">{esc(rng.choice(TEASERS[lang]).format(n3=33))}</a></li>'
        f'<li><a href="https://www.{host}/marseille/{rng.randint(10**6, 10**7)}/y">{esc(rng.choice(TEASERS[lang]).format(n3=66))}</a></li></ul></aside>',
        f'<div class="article-full__ad"><div class="ad" data-format="inread"><span>{ui["ad"]}</span></div></div>',
        f'<figure class="article-full__figure"><img src="{img}" alt=""><figcaption><span class="legend">{esc(rng.choice(ui["captions"]))}</span> <span class="credit">{ui["credit"]} {esc(rng.choice(NAMES[lang]))}</span></figcaption></figure>',
        f'<div class="article-full__newsletter">{newsletter_html(ui)}</div>',
        f'<p class="article-full__paragraph article-full__paragraph--link"><a href="https://www.{host}/politique/{rng.randint(10**6, 10**7)}/z">► {ui["readalso"]} : {esc(rng.choice(TEASERS[lang]).format(n3=14))}</a></p>',
    ]
    body = insert_at(body, rng, ins)
    doc = f"""<!DOCTYPE html>
<html lang="fr" prefix="og: http://ogp.me/ns#"><head><meta charset="utf-8">
{head}
<!--PAD-->
</head><body class="page-article">
{cookie_html(ui, "didomi-notice")}
<header class="header"><div class="header__top"><a class="header__logo" href="https://www.{host}/">{esc(site)}</a>
<a class="header__subscribe" href="https://www.{host}/abonnement">S'abonner</a><a class="header__login" href="#">Se connecter</a></div>
<nav class="header__nav">{menu_html(ui, rng, 'www.' + host, "nav")}</nav>
<div class="header__flash"><span>Direct</span> {esc(rng.choice(TEASERS[lang]).format(n3=200))}</div></header>
<div class="breadcrumb"><a href="https://www.{host}/">Accueil</a> › <a href="https://www.{host}/marseille">Marseille</a> › <span>{esc(a.subj)}</span></div>
<main class="main"><div class="article-full">
<div class="article-full__header"><p class="article-full__kicker">Métropole</p>
<h1 class="article-full__title">{esc(a.title)}</h1>
<div class="article-full__infos"><span class="article-full__author">{ui['by']} {esc(a.author)}</span>
<span class="article-full__date">{ui['published']} <time datetime="{a.published}">{esc(a.human_date())}</time></span>
<span class="article-full__date">{ui['updated']} <time datetime="{a.modified}">{esc(a.human_date())}</time></span>
<span class="article-full__reading">Lecture {rng.randint(3, 7)} min</span></div>
{share_html(ui, "article-full__share")}</div>
<div class="article-full__body">
<p class="article-full__chapo">{esc(a.dek)}</p>
{"".join(body)}
<div class="article-full__tags"><span>{ui['tags']}</span><a href="#">Marseille</a><a href="#">Métropole</a><a href="#">Miami</a></div>
{share_html(ui, "article-full__share-bottom")}
<div class="article-full__comments"><h3>{ui['comments']} ({rng.randint(2, 9)})</h3><p>Réagissez à cet article</p><ul>{comments_html(ui, rng, lang, rng.randint(2, 5))}</ul></div>
</div>
<section class="article-full__related"><h2>{ui['related']}</h2><ul>{teaser_list(ui, rng, lang, 'www.' + host, 6, "card")}</ul></section>
</div>
<aside class="sidebar"><div class="sidebar__block"><h2>{ui['mostread']}</h2><ol>{teaser_list(ui, rng, lang, 'www.' + host, 5, "top", False)}</ol></div>
<div class="sidebar__ad"><span>{ui['ad']}</span></div></aside></main>
{footer_html(ui, rng, 'www.' + host, site)}
</body></html>"""
    return doc, dict(text=a.truth_text(), published=a.published)


def t_es_miami(rng, a: Article, site, host):
    lang, ui = a.lang, UI[a.lang]
    aid = rng.randint(10**8, 10**9)
    url = f"https://www.{host}/noticias/locales/comunidad/miami-dade/article{aid}.html"
    img = f"https://www.{host}/latest-news/{rng.randint(1000, 9999)}/alternates/LANDSCAPE_1140/foto.jpg"
    ld = news_ld(a, url, site, img, lang="es")
    head = head_common(a, url, site, img, f"{a.title} | {site}", lang_og="es_LA",
                       extra=f'<link rel="canonical" href="{url}">\n<meta name="date" content="{a.published}">\n' + jsonld(ld))
    body = []
    for kind, t in a.blocks:
        if kind == "h2":
            body.append(f"<h3>{esc(t)}</h3>")
        else:
            body.append(f"<p>{esc(t)}</p>")
    ins = [
        f'<div class="related-stories-inline"><h4>{ui["related"].upper()}</h4><ul>'
        + "".join(f'<li><a href="https://www.{host}/article{rng.randint(10**8, 10**9)}.html">{esc(t.format(n3=90))}</a></li>' for t in rng.sample(TEASERS[lang], 3))
        + "</ul></div>",
        f'<p><strong>{ui["readalso"]}: <a href="https://www.{host}/article{rng.randint(10**8, 10**9)}.html">{esc(rng.choice(TEASERS[lang]).format(n3=70))}</a></strong></p>',
        f'<div class="ad-widget"><div class="flex-ad">{ui["ad"]}</div></div>',
        f'<figure class="figure"><img src="{img}"><figcaption class="caption">{esc(rng.choice(ui["captions"]))} <span class="photo-credit">{esc(rng.choice(NAMES[lang]))} {esc(site)}</span></figcaption></figure>',
        f'<div class="ad-widget"><div class="flex-ad">{ui["ad"]}</div></div>',
    ]
    body = insert_at(body, rng, ins)
    doc = f"""<!DOCTYPE html>
<html lang="es"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
{head}
<!--PAD-->
</head><body class="story-page">
{cookie_html(ui, "consent-banner")}
<div class="header-wrapper"><header><a class="logo" href="https://www.{host}/">{esc(site)}</a>
<div class="header-links"><a href="#">Iniciar sesión</a> <a href="#">Suscríbase</a></div>
<nav class="main-nav" role="navigation">{menu_html(ui, rng, 'www.' + host, "nav")}</nav></header></div>
<div class="breaking"><b>ÚLTIMA HORA</b> <a href="#">{esc(rng.choice(TEASERS[lang]).format(n3=31))}</a></div>
<div class="grid"><div class="col-main">
<article class="story-body">
<div class="kicker"><a href="#">Miami-Dade</a></div>
<h1 class="h1">{esc(a.title)}</h1>
<div class="byline"><span class="byline-name">{ui['by']} {esc(a.author)}</span><br><span class="byline-mail">{esc(a.author.split()[0].lower())}@{host}</span></div>
<div class="time">{ui['published']} <time datetime="{a.published}">{esc(a.human_date())}</time></div>
{share_html(ui, "social-share")}
<div class="lead-item"><figure><img src="{img}"><figcaption>{esc(rng.choice(ui['captions']))}</figcaption></figure></div>
<p class="summary-text"><em>{esc(a.dek)}</em></p>
{"".join(body)}
<p class="mi-tag"><i>Siga a {esc(a.author)} en Twitter: @{esc(a.author.split()[0].lower())}_noticias</i></p>
<div class="story-tags">{ui['tags']}: <a href="#">Miami-Dade</a> <a href="#">Francia</a> <a href="#">PortMiami</a></div>
</article>
<div class="taboola-feed"><h3>Contenido patrocinado</h3><ul>{teaser_list(ui, rng, lang, 'ads.example.net', 4, "tbl")}</ul></div>
<div class="comments"><h3>{ui['comments']}</h3><ul>{comments_html(ui, rng, lang, rng.randint(3, 5))}</ul></div>
</div>
<div class="col-rail"><div class="rail-module"><h3>{ui['mostread']}</h3><ol>{teaser_list(ui, rng, lang, 'www.' + host, 6, "mr")}</ol></div>
<div class="rail-newsletter">{newsletter_html(ui)}</div></div></div>
{footer_html(ui, rng, 'www.' + host, site)}
</body></html>"""
    return doc, dict(text=a.truth_text(), published=a.published)


def t_bespoke(rng, a: Article, site, host):
    """A small outlet's home-made CMS: table layout, <br><br> paragraphs, latin-1, no JSON-LD."""
    lang, ui = a.lang, UI[a.lang]
    aid = rng.randint(1000, 9999)
    url = f"http://www.{host}/article.php?id={aid}"
    paras = []
    for kind, t in a.blocks:
        if kind == "h2":
            paras.append(f"<b>{esc(t)}</b>")
        else:
            paras.append(esc(t))
    # A caption and a "read also" line inside the text, as these CMSs mix them in.
    cap = f'<div class="photo"><img src="/photos/{aid}.jpg" width="400"><br><span class="legende">{esc(rng.choice(ui["captions"]))} (Photo DR)</span></div>'
    lire = f'<span class="lireaussi">&gt;&gt; {ui["readalso"]} : <a href="article.php?id={aid - rng.randint(1, 99)}">{esc(rng.choice(TEASERS[lang]).format(n3=25))}</a></span>'
    pos1 = rng.randint(2, len(paras) - 2)
    paras.insert(pos1, cap)
    paras.insert(rng.randint(pos1 + 1, len(paras) - 1), lire)
    text_html = "\n<br><br>\n".join(paras)
    y, m, d, h, mi = a.date
    nav = " | ".join(f'<a href="rubrique.php?r={k}">{esc(x)}</a>' for k, x in enumerate(ui["menu"][:14]))
    breves = "".join(f'<tr><td class="breve"><font size="2"><a href="article.php?id={rng.randint(1000, 9999)}">{esc(t.format(n3=40))}</a></font><br>'
                     f'<font size="1">{esc(rng.choice(DEKS[lang]).format(person=rng.choice(NAMES[lang])))}</font></td></tr>'
                     for t in rng.sample(TEASERS[lang], 8))
    agenda = "".join(f"<li>{rng.randint(1, 28)}/{m:02d} : {esc(t.format(n3=3))}</li>" for t in rng.sample(TEASERS[lang], 5))
    doc = f"""<HTML>
<HEAD>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>{esc(site)} - {esc(a.title)}</TITLE>
<META NAME="description" CONTENT="{attr(a.dek)}">
<META NAME="keywords" CONTENT="marseille, actualité, métropole, miami">
<META NAME="author" CONTENT="{attr(a.author)}">
<LINK REL="stylesheet" HREF="style.css" TYPE="text/css">
<!--PAD-->
</HEAD>
<BODY BGCOLOR="#FFFFFF" leftmargin="0" topmargin="0">
<table width="980" border="0" cellpadding="0" cellspacing="0" align="center">
<tr><td colspan="3" class="bandeau"><a href="index.php"><img src="img/logo.gif" alt="{attr(site)}" border="0"></a>
<span class="date_jour">Mise à jour : {d:02d}/{m:02d}/{y}</span></td></tr>
<tr><td colspan="3" class="menu">{nav}</td></tr>
<tr><td width="180" valign="top" class="gauche"><div class="titre_bloc">Rubriques</div><ul>{''.join(f'<li><a href="rubrique.php?r={k}">{esc(x)}</a></li>' for k, x in enumerate(ui['menu']))}</ul>
<div class="titre_bloc">Agenda</div><ul>{agenda}</ul></td>
<td width="600" valign="top" class="centre">
<div id="contenu">
<span class="rubrique">Métropole</span>
<div class="titre_article">{esc(a.title)}</div>
<div class="infos">{ui['published']} {d:02d}/{m:02d}/{y} à {h:02d}h{mi:02d} - {ui['by']} {esc(a.author)}</div>
<div class="chapeau"><i>{esc(a.dek)}</i></div>
<div class="texte">
{text_html}
</div>
<div class="outils"><a href="javascript:window.print()">Imprimer</a> | <a href="envoyer.php?id={aid}">Envoyer à un ami</a> | <a href="#">Facebook</a> | <a href="#">Twitter</a></div>
<div class="reactions"><div class="titre_bloc">Vos réactions</div>
<table width="100%">{''.join(f'<tr><td class="reaction"><b>{c[:12]}</b> a écrit :<br>{esc(c)}</td></tr>' for c in rng.sample(COMMENTS[lang], 4))}</table>
<form action="reagir.php" method="post">Pseudo : <input name="pseudo"><br><textarea name="msg"></textarea><br><input type="submit" value="Envoyer"></form></div>
</div></td>
<td width="200" valign="top" class="droite"><div class="titre_bloc">Brèves</div><table>{breves}</table>
<div class="pub"><img src="pub/banniere{rng.randint(1, 9)}.gif" alt="{ui['ad']}"></div></td></tr>
<tr><td colspan="3" class="pied">© {esc(site)} 2003-2017 - {ui['footer']} - <a href="contact.php">Contact</a> - <a href="mentions.php">Mentions légales</a></td></tr>
</table>
</BODY></HTML>"""
    return doc, dict(text=a.truth_text(), published=None, encoding="iso-8859-1",
                     published_local=f"{y}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:00")


def t_drupal(rng, a: Article, site, host):
    lang, ui = a.lang, UI[a.lang]
    nid = rng.randint(10**4, 10**5)
    path = f"/news/{a.date[0]}-{a.date[1]:02d}-{a.date[2]:02d}/{a.url_slug()}"
    url = f"https://www.{host}{path}"
    img = f"https://www.{host}/sites/default/files/styles/x_large/public/2017-{a.date[1]:02d}/photo_{nid}.jpg"
    settings = {"path": {"baseUrl": "/", "currentPath": f"node/{nid}", "currentLanguage": lang},
                "ajaxPageState": {"theme": "newsroom", "libraries": ",".join(f"core/lib{i}" for i in range(40))},
                "views": {"ajaxViews": {f"views_dom_id:{rng.randint(10**10, 10**11):x}": {"view_name": "related_content", "view_display_id": "block_1"} for _ in range(6)}}}
    head = head_common(a, url, site, img, f"{a.title} | {site}", lang_og={"en": "en_US", "es": "es_US", "fr": "fr_FR"}[lang],
                       extra=f'<link rel="canonical" href="{path}">\n<link rel="shortlink" href="/node/{nid}">\n'
                             f'<meta property="article:published_time" content="{a.published}">\n'
                             f'<meta property="article:modified_time" content="{a.modified}">\n'
                             f'<meta name="dcterms.creator" content="{attr(a.author)}">')
    body = []
    for kind, t in a.blocks:
        if kind == "h2":
            body.append(f"<h2>{esc(t)}</h2>")
        elif kind == "quote":
            body.append(f"<blockquote><p>{esc(t)}</p></blockquote>")
        else:
            body.append(f"<p>{esc(t)}</p>")
    ins = [
        f'<div class="embedded-entity"><article class="media media--type-image"><img src="{img}" alt="">'
        f'<div class="field field--name-field-caption"><p>{esc(rng.choice(ui["captions"]))}</p></div>'
        f'<div class="field field--name-field-credit">{esc(rng.choice(NAMES[lang]))} / {esc(site)}</div></article></div>',
        f'<div class="inline-related"><strong>{ui["related"]}:</strong> <a href="/news/{rng.randint(10**4, 10**5)}">{esc(rng.choice(TEASERS[lang]).format(n3=18))}</a></div>',
        f'<div class="support-box"><p><strong>{esc(site)} depends on your support.</strong> Become a member today and keep local journalism strong.</p><a class="button" href="/donate">Donate</a></div>',
    ]
    body = insert_at(body, rng, ins)
    doc = f"""<!DOCTYPE html>
<html lang="{lang}" dir="ltr" prefix="content: http://purl.org/rss/1.0/modules/content/  dc: http://purl.org/dc/terms/  og: http://ogp.me/ns#">
<head>
<meta charset="utf-8" />
<meta name="Generator" content="Drupal 8 (https://www.drupal.org)" />
{head}
<!--PAD-->
<script type="application/json" data-drupal-selector="drupal-settings-json">{json.dumps(settings)}</script>
</head>
<body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
{cookie_html(ui, "eu-cookie-compliance")}
<div class="layout-container">
<header role="banner"><div class="region region-header"><div id="block-sitebranding" class="block block-system block-system-branding-block"><a href="/" rel="home">{esc(site)}</a></div>
<div class="block block-listen-live"><a href="/listen">Listen Live</a> <span>Now playing: Morning Edition</span></div></div>
<div class="region region-primary-menu"><nav role="navigation" id="block-mainnavigation" class="block block-menu navigation menu--main">{menu_html(ui, rng, 'www.' + host, "menu")}</nav></div></header>
<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="layout-content"><div class="region region-content">
<article role="article" about="{path}" class="node node--type-article node--view-mode-full">
<h1 class="page-title"><span class="field field--name-title field--type-string">{esc(a.title)}</span></h1>
<div class="node__meta"><span class="field field--name-field-author"><a href="/people/{rng.randint(1, 300)}">{esc(a.author)}</a></span>
<span class="field field--name-created"><time datetime="{a.published.replace('T', 'T')}">{esc(a.human_date())}</time></span></div>
<div class="node__content">
<div class="field field--name-field-image"><img src="{img}" alt=""><div class="caption">{esc(rng.choice(ui['captions']))}</div></div>
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item">
{"".join(body)}
</div>
<div class="field field--name-field-tags field--type-entity-reference"><div class="field__label">{ui['tags']}</div><div class="field__items"><div class="field__item"><a href="/tags/port">Port</a></div><div class="field__item"><a href="/tags/local">Local</a></div></div></div>
{share_html(ui, "social-media-sharing")}
</div></article>
<div class="views-element-container block block-views block-views-blockrelated-content-block-1"><h2>{ui['related']}</h2><div class="view-content"><ul>{teaser_list(ui, rng, lang, 'www.' + host, 5, "views-row")}</ul></div></div>
</div></div>
<aside class="layout-sidebar-second" role="complementary"><div class="block"><h2>{ui['mostread']}</h2><ul>{teaser_list(ui, rng, lang, 'www.' + host, 5, "pop", False)}</ul></div>
<div class="block">{newsletter_html(ui)}</div></aside>
</main>
{footer_html(ui, rng, 'www.' + host, site)}
</div></div>
<script src="/core/assets/vendor/jquery/jquery.min.js?v=3.2.1"></script>
</body></html>"""
    # Drupal here has no JSON-LD: the date is in article:published_time and <time>.
    return doc, dict(text=a.truth_text(with_dek=False), published=a.published)


def t_amp(rng, a: Article, site, host):
    lang, ui = a.lang, UI[a.lang]
    slug = a.url_slug()
    url = f"https://www.{host}/{slug}/"
    amp_url = f"https://www.{host}/{slug}/amp/"
    img = f"https://www.{host}/images/{rng.randint(10**5, 10**6)}.jpg"
    ld = news_ld(a, url, site, img)
    head = f"""<meta charset="utf-8">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script async custom-element="amp-ad" src="https://cdn.ampproject.org/v0/amp-ad-0.1.js"></script>
<script async custom-element="amp-social-share" src="https://cdn.ampproject.org/v0/amp-social-share-0.1.js"></script>
<script async custom-element="amp-sidebar" src="https://cdn.ampproject.org/v0/amp-sidebar-0.1.js"></script>
<title>{esc(a.title)} – {esc(site)}</title>
<link rel="canonical" href="{url}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
{jsonld(ld)}
<style amp-boilerplate>body{{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;animation:-amp-start 8s steps(1,end) 0s 1 normal both}}</style>
<style amp-custom>{css_blob(rng, 'amp', 150)}</style>
<!--PAD-->"""
    body = []
    for kind, t in a.blocks:
        if kind == "h2":
            body.append(f"<h2>{esc(t)}</h2>")
        elif kind == "quote":
            body.append(f"<blockquote><p>{esc(t)}</p></blockquote>")
        else:
            body.append(f"<p>{esc(t)}</p>")
    ins = [
        f'<amp-ad width="300" height="250" type="doubleclick" data-slot="/{rng.randint(1000, 9999)}/amp_inline"><div placeholder>{ui["ad"]}</div><div fallback>{ui["ad"]}</div></amp-ad>',
        f'<figure class="amp-wp-inline"><amp-img src="{img}" width="1200" height="800" layout="responsive"></amp-img><figcaption>{esc(rng.choice(ui["captions"]))}</figcaption></figure>',
        f'<p class="read-more"><a href="{url}">{ui["readalso"]} : {esc(rng.choice(TEASERS[lang]).format(n3=44))}</a></p>',
    ]
    body = insert_at(body, rng, ins)
    doc = f"""<!doctype html>
<html ⚡ lang="{lang}">
<head>
{head}
</head>
<body>
<amp-sidebar id="sidebar" layout="nodisplay" side="left"><nav>{menu_html(ui, rng, 'www.' + host, "amp-menu", sub=False)}</nav></amp-sidebar>
<header class="amp-wp-header"><div><button on="tap:sidebar.toggle">☰</button><a href="https://www.{host}/">{esc(site)}</a></div></header>
<amp-consent id="consent" layout="nodisplay"><div class="consent-ui">{cookie_html(ui)}</div></amp-consent>
<article class="amp-wp-article">
<header class="amp-wp-article-header"><h1 class="amp-wp-title">{esc(a.title)}</h1>
<div class="amp-wp-meta amp-wp-byline"><span class="amp-wp-author author vcard">{esc(a.author)}</span></div>
<div class="amp-wp-meta amp-wp-posted-on"><time datetime="{a.published}">{esc(a.human_date())}</time></div></header>
<figure class="amp-wp-article-featured-image wp-caption"><amp-img width="1024" height="683" src="{img}" layout="intrinsic"></amp-img></figure>
<amp-social-share type="facebook"></amp-social-share><amp-social-share type="twitter"></amp-social-share><amp-social-share type="whatsapp"></amp-social-share>
<div class="amp-wp-article-content">
<p><strong>{esc(a.dek)}</strong></p>
{"".join(body)}
</div>
<footer class="amp-wp-article-footer"><div class="amp-wp-meta amp-wp-tax-tag">{ui['tags']}: <a href="#">Miami</a>, <a href="#">Marseille</a></div>
<div class="amp-wp-comments-link"><a href="{url}#comments">{ui['comments']}</a></div></footer>
</article>
<div class="amp-related"><h3>{ui['related']}</h3><ul>{teaser_list(ui, rng, lang, 'www.' + host, 5, "amp-rel")}</ul></div>
<amp-ad width="320" height="100" type="doubleclick" data-slot="/{rng.randint(1000, 9999)}/amp_footer"></amp-ad>
{footer_html(ui, rng, 'www.' + host, site)}
</body></html>"""
    return doc, dict(text=a.truth_text(), published=a.published)


def t_jsonld_teaser(rng, a: Article, site, host):
    """Paywalled page: visible teaser only; the full text is in JSON-LD articleBody."""
    lang, ui = a.lang, UI[a.lang]
    url = f"https://{host}/articles/{a.date[0]}/{a.date[1]:02d}/{a.url_slug()}-{rng.randint(10**5, 10**6)}"
    img = f"https://{host}/img/{rng.randint(10**5, 10**6)}.jpg"
    sep = rng.choice(["\n\n", "\n"])
    full_body = sep.join(t for _, t in a.blocks)
    ld = news_ld(a, url, site, img, body=full_body, lang={"fr": "fr-FR", "en": "en-US", "es": "es-US"}[lang])
    ld["isAccessibleForFree"] = "False"
    ld["hasPart"] = {"@type": "WebPageElement", "isAccessibleForFree": "False", "cssSelector": ".paywalled"}
    head = head_common(a, url, site, img, f"{a.title} – {site}", lang_og={"fr": "fr_FR", "en": "en_US", "es": "es_US"}[lang],
                       extra=f'<link rel="canonical" href="{url}">\n' + jsonld(ld))
    first = a.blocks[0][1]
    doc = f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
{head}
<!--PAD-->
</head><body>
{cookie_html(ui, "sp-message")}
<header class="masthead"><a class="logo" href="https://{host}/">{esc(site)}</a><nav>{menu_html(ui, rng, host, "nav")}</nav>
<a class="subscribe-button" href="https://{host}/subscribe">Subscribe</a></header>
<main><article class="article">
<h1 class="article__headline">{esc(a.title)}</h1>
<p class="article__standfirst">{esc(a.dek)}</p>
<div class="article__byline">{ui['by']} <span class="article__author">{esc(a.author)}</span> · <span class="article__date">{esc(a.human_date())}</span></div>
<figure><img src="{img}"><figcaption>{esc(rng.choice(ui['captions']))}</figcaption></figure>
<div class="article__body">
<p>{esc(first)}</p>
<div class="paywalled" style="display:none"></div>
<div class="paywall-prompt"><h2>{ui['paywall'].split('.')[0]}.</h2><p>{ui['paywall']}</p><a href="https://{host}/subscribe" class="button">{ui['subscribe']}</a>
<p class="paywall-prompt__login">Already a subscriber? <a href="https://{host}/login">Log in</a></p></div>
</div></article>
<section class="more-stories"><h2>{ui['related']}</h2><ul>{teaser_list(ui, rng, lang, host, 8, "story-card")}</ul></section>
<aside><h2>{ui['mostread']}</h2><ol>{teaser_list(ui, rng, lang, host, 6, "popular")}</ol>{newsletter_html(ui)}</aside>
</main>
{footer_html(ui, rng, host, site)}
</body></html>"""
    return doc, dict(text=a.truth_text(), published=a.published)


def t_nextjs(rng, a: Article, site, host):
    """A React/Next.js site: generic div soup, CSS-module class names, no <article>, no <p> classes."""
    lang, ui = a.lang, UI[a.lang]
    h = "".join(rng.choice("abcdef0123456789_") for _ in range(5))
    C = lambda name: f"{name}_{h}{rng.choice('xyz')}"  # noqa: E731 (hashed class names)
    url = f"https://{host}/{lang}/article/{a.url_slug()}"
    img = f"https://{host}/_next/image?url=%2Fuploads%2F{rng.randint(10**5, 10**6)}.jpg&w=1200&q=75"
    ld = news_ld(a, url, site, img)
    ld = {"@context": "https://schema.org", "@graph": [ld, {"@type": "Organization", "name": site, "url": f"https://{host}/"}]}
    next_data = {"props": {"pageProps": {"article": {"id": rng.randint(10**4, 10**5), "title": a.title, "lead": a.dek,
                                                     "tags": ["Marseille", "Miami"], "menu": ui["menu"]}}}, "page": "/[lang]/article/[slug]", "buildId": h}
    head = head_common(a, url, site, img, f"{a.title} | {site}", lang_og={"fr": "fr_FR", "en": "en_US", "es": "es_ES"}[lang],
                       extra=f'<link rel="canonical" href="{url}">\n' + jsonld(ld))
    body = []
    pc = C("styles_paragraph")
    for kind, t in a.blocks:
        if kind == "h2":
            body.append(f'<div class="{C("styles_heading")}"><h2>{esc(t)}</h2></div>')
        else:
            body.append(f'<div class="{pc}"><p>{esc(t)}</p></div>')
    ins = [
        f'<div class="{C("styles_inlineTeaser")}"><span>{ui["readalso"]}</span><a href="/{lang}/article/x{rng.randint(1, 999)}"><div>{esc(rng.choice(TEASERS[lang]).format(n3=5))}</div></a></div>',
        f'<div class="{C("styles_imageBlock")}"><img src="{img}" alt=""><div class="{C("styles_caption")}">{esc(rng.choice(ui["captions"]))} — {esc(rng.choice(NAMES[lang]))}</div></div>',
        f'<div class="{C("styles_newsletter")}">{newsletter_html(ui, C("nl"))}</div>',
        f'<div class="{C("styles_ad")}"><div>{ui["ad"]}</div></div>',
    ]
    body = insert_at(body, rng, ins)
    doc = f"""<!DOCTYPE html><html lang="{lang}"><head><meta charSet="utf-8"/>
{head}
<!--PAD-->
</head><body><div id="__next">
<div class="{C('layout_root')}">
{cookie_html(ui, C('consent'))}
<div class="{C('header_bar')}"><a href="/">{esc(site)}</a><div class="{C('header_menu')}">{''.join(f'<a href="/{lang}/{esc(m.lower())}">{esc(m)}</a>' for m in ui['menu'])}</div></div>
<div class="{C('layout_main')}">
<div class="{C('article_header')}"><span class="{C('article_section')}">Métropole</span>
<h1 class="{C('article_title')}">{esc(a.title)}</h1>
<div class="{C('article_lead')}">{esc(a.dek)}</div>
<div class="{C('article_meta')}"><span>{ui['by']} {esc(a.author)}</span> <time dateTime="{a.published}">{esc(a.human_date())}</time></div>
{share_html(ui, C('share'))}</div>
<div class="{C('article_content')}">
{"".join(body)}
</div>
<div class="{C('article_related')}"><h3>{ui['related']}</h3>{''.join(f'<a class="{C("card")}" href="/{lang}/article/r{k}"><div class="{C("card_title")}">{esc(t.format(n3=9))}</div><div class="{C("card_text")}">{esc(rng.choice(DEKS[lang]).format(person=rng.choice(NAMES[lang])))}</div></a>' for k, t in enumerate(rng.sample(TEASERS[lang], 6)))}</div>
<div class="{C('comments')}"><h3>{ui['comments']}</h3>{''.join(f'<div class="{C("comment")}"><b>user{rng.randint(1, 999)}</b><div>{esc(c)}</div></div>' for c in rng.sample(COMMENTS[lang], 4))}</div>
</div>
<div class="{C('footer')}">{''.join(f'<a href="/p/{k}">{esc(x)}</a>' for k, x in enumerate(ui['legal']))}<div>© 2017 {esc(site)}</div></div>
</div></div>
<script id="__NEXT_DATA__" type="application/json">{json.dumps(next_data)}</script>
</body></html>"""
    return doc, dict(text=a.truth_text(), published=a.published)


# --------------------------------------------------------------------------- the set

TEMPLATES = [
    # (template, builder, [(language, site, host)...])
    ("wordpress", t_wordpress, [("fr", "GoMet'", "gomet.example"), ("fr", "Made in Marseille", "madeinmarseille.example"),
                                ("en", "Miami Today", "miamitoday.example"), ("fr", "Destimed", "destimed.example"),
                                ("en", "Miami Today", "miamitoday.example"), ("fr", "GoMet'", "gomet.example")]),
    ("arc", t_arc, [("en", "The Miami Courier", "www.miamicourier.example")] * 6),
    ("fr_regional", t_fr_regional, [("fr", "La Provence Matin", "laprovencematin.example")] * 6),
    ("es_miami", t_es_miami, [("es", "el Nuevo Heraldo", "elnuevoheraldo.example")] * 6),
    ("bespoke", t_bespoke, [("fr", "Marseille Hebdo", "marseillehebdo.example")] * 5),
    ("drupal", t_drupal, [("en", "WLRX Public Radio", "wlrx.example"), ("es", "Radio Sur", "radiosur.example"),
                          ("en", "WLRX Public Radio", "wlrx.example"), ("es", "Radio Sur", "radiosur.example"),
                          ("en", "WLRX Public Radio", "wlrx.example")]),
    ("amp", t_amp, [("fr", "20 Heures Marseille", "20heures.example"), ("en", "South Florida Biz", "sfbiz.example"),
                    ("es", "Diario Las Américas", "diariolasamericas.example"), ("fr", "20 Heures Marseille", "20heures.example")]),
    ("jsonld_teaser", t_jsonld_teaser, [("en", "South Florida Biz", "sfbiz.example"), ("fr", "Marsactu", "marsactu.example"),
                                        ("es", "Diario Las Américas", "diariolasamericas.example"), ("fr", "Marsactu", "marsactu.example"),
                                        ("en", "South Florida Biz", "sfbiz.example")]),
    ("nextjs", t_nextjs, [("fr", "Métropolitain", "metropolitain.example"), ("en", "Coastline", "coastline.example"),
                          ("es", "Costa Sur", "costasur.example"), ("fr", "Métropolitain", "metropolitain.example"),
                          ("en", "Coastline", "coastline.example")]),
]


def main() -> None:
    for old in list(HERE.glob("*.html")) + list(HERE.glob("*.json")):
        old.unlink()
    n = 0
    for tname, build, sites in TEMPLATES:
        for k, (lang, site, host) in enumerate(sites):
            rng = random.Random(f"{tname}-{k}-pressmon")
            a = Article(rng, lang, k)
            doc, truth = build(rng, a, site, host)
            doc = pad(doc, rng)
            encoding = truth.pop("encoding", "utf-8")
            pid = f"{tname}-{k + 1:02d}"
            (HERE / f"{pid}.html").write_bytes(doc.encode(encoding, errors="xmlcharrefreplace"))
            record = {"template": tname, "language": lang, "split": "dev" if k % 2 == 0 else "holdout",
                      "site": site, "title": a.title, "text": truth["text"],
                      "published": truth["published"] or truth.get("published_local"), "author": a.author}
            (HERE / f"{pid}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            n += 1
    print(f"wrote {n} pages to {HERE}")


if __name__ == "__main__":
    main()
