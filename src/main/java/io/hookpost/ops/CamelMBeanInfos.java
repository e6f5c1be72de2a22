package io.hookpost.ops;

import java.lang.annotation.Annotation;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.modelmbean.InvalidTargetObjectTypeException;
import javax.management.modelmbean.ModelMBean;
import javax.management.modelmbean.ModelMBeanInfo;
import javax.management.modelmbean.RequiredModelMBean;

import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedInstance;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.api.management.NotificationSenderAware;
import org.apache.camel.spi.ManagementMBeanAssembler;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.spring.spi.SpringManagementMBeanAssembler;
import org.apache.camel.support.management.MBeanInfoAssembler;
import org.apache.camel.support.management.MixinRequiredModelMBean;
import org.apache.camel.support.management.NotificationSenderAdapter;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.stereotype.Component;

/**
 * Camel's MBeans (what Hawtio shows of each route and step) with their JMX description built once per class. Camel
 * builds the description of every MBean it registers anew from the class's annotations, validating each attribute's
 * and operation's descriptor, though it depends on the class alone: for the 690 MBeans of Hookpost's routes and steps
 * that was an eighth of the starting thread's CPU (bench/RESULTS.md, sixteenth session). Camel's assembler keeps its
 * description builder to itself, hence this one. It registers what Camel's would ({@code MixinRequiredModelMBean},
 * which clones the description it is given); an MBean with a custom instance that adds its own annotated methods, or
 * one described by Spring's annotations, still goes to Camel's Spring assembler, which knows those cases.
 */
@Component
public class CamelMBeanInfos implements CamelContextConfiguration {

    @Override
    public void beforeApplicationStart(CamelContext camel) {
        // before the context starts its management agent, which takes the assembler once; started here, as the agent
        // may register MBeans before the context gets to its own services
        Assembler assembler = new Assembler(camel);
        ServiceHelper.startService(assembler);
        camel.getCamelContextExtension().setManagementMBeanAssembler(assembler);
    }

    @Override
    public void afterApplicationStart(CamelContext camel) {
    }

    static final class Assembler extends ServiceSupport implements ManagementMBeanAssembler {
        private final CamelContext camel;
        private final SpringManagementMBeanAssembler others;
        private final MBeanInfoAssembler descriptions;
        /** by the MBean's class; empty for a class Camel does not describe (a proxy) */
        private final Map<Class<?>, Optional<ModelMBeanInfo>> byClass = new ConcurrentHashMap<>();

        Assembler(CamelContext camel) {
            this.camel = camel;
            this.others = new SpringManagementMBeanAssembler(camel);
            this.descriptions = new MBeanInfoAssembler(camel);
        }

        @Override
        public ModelMBean assemble(MBeanServer server, Object managed, ObjectName name) throws JMException {
            Object custom = managed instanceof ManagedInstance instance ? instance.getInstance() : null;
            if (describedApart(managed, custom)) {
                return others.assemble(server, managed, name);
            }
            Optional<ModelMBeanInfo> info = byClass.get(managed.getClass());
            if (info == null) {
                info = Optional.ofNullable(descriptions.getMBeanInfo(camel, managed, null, name.toString()));
                byClass.put(managed.getClass(), info);
            }
            if (info.isEmpty()) {
                return null;
            }
            Boolean mask = camel.getManagementStrategy().getManagementAgent().getMask();
            RequiredModelMBean mbean = new MixinRequiredModelMBean(info.get(), Boolean.TRUE.equals(mask), null, null);
            try {
                mbean.setManagedResource(managed, "ObjectReference");
            } catch (InvalidTargetObjectTypeException e) {
                throw new JMException(e.getMessage());
            }
            if (managed instanceof NotificationSenderAware sender) {
                sender.setNotificationSender(new NotificationSenderAdapter(mbean));
            }
            return mbean;
        }

        /**
         * The cases Camel's Spring assembler treats apart: a custom instance behind a step (its own annotated methods
         * join the step's), and objects described by Spring's annotations.
         */
        private static boolean describedApart(Object managed, Object custom) {
            Class<? extends Annotation> spring = org.springframework.jmx.export.annotation.ManagedResource.class;
            return custom != null && (custom.getClass().isAnnotationPresent(ManagedResource.class)
                    || custom.getClass().isAnnotationPresent(spring))
                    || managed.getClass().isAnnotationPresent(spring);
        }

        @Override
        protected void doStart() {
            descriptions.start();
            ServiceHelper.startService(others);
        }

        @Override
        protected void doStop() {
            ServiceHelper.stopService(others);
            descriptions.stop();
        }
    }
}
