package nl.toetreding.conformance;

import eu.europa.esig.dss.diagnostic.DiagnosticData;
import eu.europa.esig.dss.diagnostic.SignatureWrapper;
import eu.europa.esig.dss.diagnostic.jaxb.XmlObjectModification;
import eu.europa.esig.dss.enumerations.Indication;
import eu.europa.esig.dss.enumerations.SubIndication;
import eu.europa.esig.dss.model.FileDocument;
import eu.europa.esig.dss.service.crl.OnlineCRLSource;
import eu.europa.esig.dss.service.ocsp.OnlineOCSPSource;
import eu.europa.esig.dss.simplereport.SimpleReport;
import eu.europa.esig.dss.simplereport.jaxb.XmlDetails;
import eu.europa.esig.dss.simplereport.jaxb.XmlMessage;
import eu.europa.esig.dss.simplereport.jaxb.XmlSignature;
import eu.europa.esig.dss.simplereport.jaxb.XmlTimestamp;
import eu.europa.esig.dss.simplereport.jaxb.XmlToken;
import eu.europa.esig.dss.spi.DSSUtils;
import eu.europa.esig.dss.spi.validation.CommonCertificateVerifier;
import eu.europa.esig.dss.spi.x509.CommonTrustedCertificateSource;
import eu.europa.esig.dss.spi.x509.aia.DefaultAIASource;
import eu.europa.esig.dss.validation.SignedDocumentValidator;
import eu.europa.esig.dss.validation.reports.Reports;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

/**
 * Judges PDFs for toetreding's tests with the reference tools, many files per JVM.
 *
 * <p>Usage: {@code java -cp ... nl.toetreding.conformance.Harness [--trust ROOT.pem]...}, then
 * one request per line on stdin: {@code FLAVOURS<TAB>PATH}, where FLAVOURS is a comma-separated
 * list of veraPDF flavours (e.g. {@code 2a,ua1}) or {@code -} for none. For each request it
 * prints exactly one JSON line on stdout: for every signature and timestamp EU DSS's indication,
 * sub-indication and (for signatures) the PAdES level it recognises, with DSS's error messages;
 * for every flavour veraPDF's verdict and the ids of the failed rules.
 */
public final class Harness {

  private Harness() {}

  public static void main(String[] args) throws Exception {
    List<String> trust = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if ("--trust".equals(args[i]) && i + 1 < args.length) {
        trust.add(args[++i]);
      }
    }
    VeraGreenfieldFoundryProvider.initialise();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.split("\t", 2);
      String flavours = parts.length == 2 ? parts[0] : "-";
      String path = parts.length == 2 ? parts[1] : parts[0];
      StringBuilder json = new StringBuilder("{\"file\":").append(quote(path));
      try {
        String verdict = dss(path, trust);
        json.append(",\"dss\":").append(verdict);
      } catch (Throwable error) {
        json.append(",\"dss_error\":").append(quote(describe(error)));
      }
      json.append(",\"verapdf\":{");
      boolean first = true;
      if (!"-".equals(flavours)) {
        for (String flavour : flavours.split(",")) {
          if (!first) {
            json.append(',');
          }
          first = false;
          json.append(quote(flavour)).append(':');
          try {
            json.append(verapdf(path, flavour));
          } catch (Throwable error) {
            json.append("{\"error\":").append(quote(describe(error))).append('}');
          }
        }
      }
      json.append("}}");
      out.println(json);
    }
  }

  private static String dss(String path, List<String> trust) {
    CommonCertificateVerifier verifier = new CommonCertificateVerifier();
    CommonTrustedCertificateSource trusted = new CommonTrustedCertificateSource();
    for (String root : trust) {
      trusted.addCertificate(DSSUtils.loadCertificate(new File(root)));
    }
    verifier.setTrustedCertSources(trusted);
    verifier.setOcspSource(new OnlineOCSPSource());
    verifier.setCrlSource(new OnlineCRLSource());
    verifier.setAIASource(new DefaultAIASource());
    SignedDocumentValidator validator =
        SignedDocumentValidator.fromDocument(new FileDocument(new File(path)));
    validator.setCertificateVerifier(verifier);
    Reports reports = validator.validateDocument();
    SimpleReport simple = reports.getSimpleReport();
    DiagnosticData diagnostic = reports.getDiagnosticData();
    StringBuilder json = new StringBuilder("{\"signatures\":[");
    boolean first = true;
    for (XmlToken token : simple.getJaxbModel().getSignatureOrTimestampOrEvidenceRecord()) {
      if (!(token instanceof XmlSignature signature)) {
        continue;
      }
      if (!first) {
        json.append(',');
      }
      first = false;
      SignatureWrapper wrapper = diagnostic.getSignatureById(signature.getId());
      json.append('{')
          .append("\"id\":").append(quote(signature.getId()))
          .append(",\"field\":").append(quote(wrapper == null ? null : wrapper.getSignatureFieldNames().toString()))
          .append(",\"indication\":").append(quote(name(signature.getIndication())))
          .append(",\"sub_indication\":").append(quote(name(signature.getSubIndication())))
          .append(",\"format\":").append(quote(name(signature.getSignatureFormat())))
          .append(",\"signed_by\":").append(quote(signature.getSignedBy()))
          .append(",\"claimed_roles\":")
          .append(strings(wrapper == null ? List.of() : wrapper.getSignerRoleDetails(wrapper.getClaimedRoles())))
          .append(",\"commitment_types\":")
          .append(strings(commitments(wrapper)))
          .append(",\"errors\":").append(messages(signature.getAdESValidationDetails()))
          .append(",\"warnings\":").append(warnings(signature.getAdESValidationDetails()))
          .append(",\"undefined_changes\":").append(undefinedChanges(wrapper))
          .append(",\"timestamps\":[");
      boolean firstStamp = true;
      if (signature.getTimestamps() != null) {
        for (XmlTimestamp stamp : signature.getTimestamps().getTimestamp()) {
          if (!firstStamp) {
            json.append(',');
          }
          firstStamp = false;
          json.append(timestamp(stamp));
        }
      }
      json.append("]}");
    }
    json.append("],\"timestamps\":[");
    first = true;
    for (XmlToken token : simple.getJaxbModel().getSignatureOrTimestampOrEvidenceRecord()) {
      if (token instanceof XmlTimestamp stamp) {
        if (!first) {
          json.append(',');
        }
        first = false;
        json.append(timestamp(stamp));
      }
    }
    return json.append("]}").toString();
  }

  private static String undefinedChanges(SignatureWrapper wrapper) {
    List<String> changes = new ArrayList<>();
    if (wrapper != null && wrapper.getPDFRevision() != null) {
      for (XmlObjectModification change : wrapper.getPDFRevision().getPdfUndefinedChanges()) {
        changes.add(change.getAction() + " " + change.getType() + " " + change.getValue()
            + (change.getFieldName() == null ? "" : " (field " + change.getFieldName() + ")"));
      }
    }
    return strings(changes);
  }

  private static List<String> commitments(SignatureWrapper wrapper) {
    List<String> identifiers = new ArrayList<>();
    if (wrapper != null) {
      wrapper.getCommitmentTypeIndications().forEach(c -> identifiers.add(c.getIdentifier()));
    }
    return identifiers;
  }

  private static String timestamp(XmlTimestamp stamp) {
    return "{\"id\":" + quote(stamp.getId())
        + ",\"indication\":" + quote(name(stamp.getIndication()))
        + ",\"sub_indication\":" + quote(name(stamp.getSubIndication()))
        + ",\"produced_by\":" + quote(stamp.getProducedBy())
        + ",\"errors\":" + messages(stamp.getAdESValidationDetails()) + "}";
  }

  private static String verapdf(String path, String flavourName) throws Exception {
    PDFAFlavour flavour = PDFAFlavour.fromString(flavourName);
    try (InputStream stream = new FileInputStream(path);
        PDFAParser parser = Foundries.defaultInstance().createParser(stream, flavour)) {
      PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false);
      ValidationResult result = validator.validate(parser);
      TreeSet<String> failed = new TreeSet<>();
      List<String> details = new ArrayList<>();
      for (TestAssertion assertion : result.getTestAssertions()) {
        if (assertion.getStatus() == TestAssertion.Status.FAILED) {
          String id = assertion.getRuleId().getClause() + "-" + assertion.getRuleId().getTestNumber();
          if (failed.add(id)) {
            details.add(id + ": " + assertion.getMessage());
          }
        }
      }
      return "{\"flavour\":" + quote(result.getPDFAFlavour().getId())
          + ",\"compliant\":" + result.isCompliant()
          + ",\"failed_rules\":" + strings(new ArrayList<>(failed))
          + ",\"details\":" + strings(details) + "}";
    }
  }

  private static String messages(XmlDetails details) {
    List<String> texts = new ArrayList<>();
    if (details != null) {
      for (XmlMessage message : details.getError()) {
        texts.add(message.getKey() + ": " + message.getValue());
      }
    }
    return strings(texts);
  }

  private static String warnings(XmlDetails details) {
    List<String> texts = new ArrayList<>();
    if (details != null) {
      for (XmlMessage message : details.getWarning()) {
        texts.add(message.getKey() + ": " + message.getValue());
      }
    }
    return strings(texts);
  }

  private static String name(Object value) {
    if (value instanceof Indication || value instanceof SubIndication || value instanceof Enum<?>) {
      return value.toString();
    }
    return value == null ? null : value.toString();
  }

  private static String describe(Throwable error) {
    return error.getClass().getSimpleName() + ": " + error.getMessage();
  }

  private static String strings(List<String> values) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append(quote(values.get(i)));
    }
    return json.append(']').toString();
  }

  private static String quote(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder json = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append('"').toString();
  }
}
